/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-explicit-any */
/** `berth nodeclass describe` against moto_server: what a platform team runs before any instance exists. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeAction } from '../../src/cli/nodeclass-describe.js';
import { parseMime } from '../../src/provisioner/nodeclass/userdata/mime.js';
import { motoNodeClass, motoSuite } from './moto.js';

const suite = motoSuite('demo');

beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

function files(docs: object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-describe-'));
  const file = join(dir, 'classes.yaml');
  writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
  return file;
}

async function run(file: string) {
  let out = '';
  let code = -1;
  await describeAction(
    {
      file: [file],
      clusterName: 'demo',
      awsEndpoint: suite.moto.endpoint,
      awsRegion: 'us-east-1',
      output: 'json',
    },
    { out: (t) => (out += t), err: () => undefined, exit: (c) => (code = c), clock: () => new Date() },
  );
  return { code, described: JSON.parse(out) as Record<string, any>[] };
}

const pool = {
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'web' },
  spec: {
    template: {
      metadata: { labels: { team: 'web' } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m5'] }],
        taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
      },
    },
  },
};

describe('berth nodeclass describe', () => {
  it('prints the status and one launch template per NodePool, user data decoded', async () => {
    const { code, described } = await run(
      files([
        motoNodeClass(suite.world, 'demo', 'default', { userData: '#!/bin/bash\necho from-the-class' }),
        pool,
      ]),
    );
    expect(code).toBe(0);
    const [d] = described;
    expect(d?.name).toBe('default');
    expect(d?.status.subnets).toHaveLength(3);
    expect(d?.status.securityGroups).toEqual([suite.world.securityGroup]);
    expect(d?.status.amis).toEqual([
      { id: suite.world.image.id, name: suite.world.image.name, arch: 'amd64' },
    ]);
    expect(d?.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    const [lt] = d?.launchTemplates ?? [];
    expect(lt).toMatchObject({
      nodePool: 'web',
      arch: 'amd64',
      instanceType: 'm5.large',
      imageId: suite.world.image.id,
      securityGroupIds: [suite.world.securityGroup.id],
      metadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
    });
    const parts = parseMime(lt.userData as string);
    expect(parts[0]?.content).toContain('echo from-the-class');
    expect(parts[1]?.content).toContain('maxPods: 29');
    expect(parts[1]?.content).toContain('team=web');
    expect(parts[1]?.content).toContain(`berth.dev/image=${suite.world.image.id}`);
    expect(parts[1]?.content).toContain('key: dedicated');
  });

  it('exits 1 with the reason for a class that does not resolve, and launches nothing', async () => {
    const { code, described } = await run(
      files([
        motoNodeClass(suite.world, 'demo', 'default', {
          securityGroupSelectorTerms: [{ tags: { nobody: 'here' } }],
        }),
        pool,
      ]),
    );
    expect(code).toBe(1);
    const ready = described[0]?.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'SecurityGroupsNotFound' });
    expect(described[0]?.launchTemplates).toEqual([]);
  });
});
