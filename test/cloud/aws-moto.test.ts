/**
 * The aws provider against moto_server: real EC2 request and response shapes for the whole cycle —
 * the EC2NodeClass resolved, launch templates with bootstrap user data, CreateFleet (idempotent),
 * list from tags, terminate.
 */
import {
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsCatalogSource, describeCatalog } from '../../src/catalog/aws-catalog.js';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { awsStack, type AwsClients } from '../../src/provisioner/cloud/aws-stack.js';
import { instanceIdOf, NodeClassNotReadyError } from '../../src/provisioner/cloud/provider.js';
import { parseMime } from '../../src/provisioner/nodeclass/userdata/mime.js';
import type { EC2NodeClass } from '../../src/scheduling/nodepool.js';
import {
  motoClients,
  motoNodeClass,
  motoWorld,
  startMoto,
  stopMoto,
  type Moto,
  type MotoWorld,
} from './moto.js';

let moto: Moto;
let clients: AwsClients;
let client: EC2Client;
let world: MotoWorld;

beforeAll(async () => {
  moto = await startMoto();
  clients = motoClients(moto.endpoint);
  client = clients.ec2;
  world = await motoWorld(clients, 'e2e');
}, 60_000);

afterAll(async () => {
  await stopMoto(moto, clients);
});

const request = {
  claim: 'berth-0001',
  nodePool: 'general',
  nodeClass: 'default',
  capacityType: 'on-demand',
  instanceTypes: ['m5.large', 'm5.xlarge', 'c5.large'],
  zones: ['us-east-1b'],
  labels: { team: 'web', 'karpenter.k8s.aws/instance-family': 'm5', 'node-role.kubernetes.io/web': '' },
  taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' as const }],
};

function stack(classes: Record<string, EC2NodeClass>, calls?: string[]) {
  if (calls)
    client.middlewareStack.add(
      (next, context) => (args) => {
        calls.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'count-calls', override: true },
    );
  return awsStack({
    clients,
    cluster: { name: 'e2e' },
    region: 'us-east-1',
    nodeClass: (name) => classes[name],
    catalog: () => builtinCatalog(),
    startupTaints: () => [{ key: 'example.com/agent', effect: 'NoSchedule' }],
  });
}

async function userDataOf(template: string): Promise<string> {
  const v = await client.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: template, Versions: ['$Latest'] }),
  );
  return Buffer.from(v.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData ?? '', 'base64').toString();
}

describe('aws provider against moto_server', () => {
  it('launches through CreateFleet from the resolved class, once per claim, lists by tags and terminates', async () => {
    const calls: string[] = [];
    const aws = stack({ default: motoNodeClass(world, 'e2e', 'default', { userData: 'echo hello' }) }, calls);
    const launched = await aws.cloud.create(request);
    expect(launched.instanceType).toBe('m5.large');
    expect(launched.zone).toBe('us-east-1b');
    expect(launched.providerId).toBe(`aws:///us-east-1b/${launched.id}`);
    expect(instanceIdOf(launched.providerId)).toBe(launched.id);
    // m5.large/c5.large (29 pods) and m5.xlarge (58): two templates, one fleet.
    expect(calls.filter((c) => c === 'CreateLaunchTemplateCommand')).toHaveLength(2);
    expect(calls.filter((c) => c === 'CreateFleetCommand')).toHaveLength(1);

    const listed = await aws.cloud.list();
    expect(listed.map((i) => ({ id: i.id, claim: i.claim, nodePool: i.nodePool, zone: i.zone }))).toEqual([
      { id: launched.id, claim: 'berth-0001', nodePool: 'general', zone: 'us-east-1b' },
    ]);

    // The same shape again: the templates are reused, the only EC2 call is the fleet.
    calls.length = 0;
    const second = await aws.cloud.create({ ...request, claim: 'berth-0002' });
    expect(calls).toEqual(['CreateFleetCommand']);

    // A restart rebuilds in-flight state from the tags: a fresh provider sees the same instances.
    const restarted = stack({});
    expect((await restarted.cloud.list()).map((i) => i.claim).sort()).toEqual(['berth-0001', 'berth-0002']);

    await aws.cloud.delete(launched.id);
    await aws.cloud.delete(second.id);
    expect(await aws.cloud.list()).toEqual([]);
    client.middlewareStack.remove('count-calls');
  });

  it('writes user data that joins the cluster: the class part first, then the NodeConfig', async () => {
    const aws = stack({ default: motoNodeClass(world, 'e2e', 'default', { userData: 'echo hello' }) });
    const rc = await aws.classes.ready('default');
    const launched = await aws.cloud.create({ ...request, claim: 'berth-0003', instanceTypes: ['m5.large'] });
    await aws.cloud.delete(launched.id);
    const { LaunchTemplates } = await client.send(
      new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:berth.dev/cluster', Values: ['e2e'] }] }),
    );
    const texts = await Promise.all(
      (LaunchTemplates ?? []).map((t) => userDataOf(t.LaunchTemplateName ?? '')),
    );
    const text = texts.find((t) => t.includes('maxPods: 29'));
    expect(text).toBeDefined();
    const parts = parseMime(text ?? '');
    expect(parts.map((p) => p.contentType)).toEqual([
      'text/x-shellscript; charset="us-ascii"',
      'application/node.eks.aws',
    ]);
    expect(parts[0]?.content).toBe('echo hello');
    const config = parse(parts[1]?.content ?? '') as {
      spec: {
        cluster: Record<string, string>;
        kubelet: { config: { maxPods: number; registerWithTaints: unknown[] }; flags: string[] };
      };
    };
    expect(config.spec.cluster.name).toBe('e2e');
    expect(config.spec.cluster.apiServerEndpoint).toMatch(/^https:\/\//);
    expect(config.spec.cluster.cidr).toBe('10.100.0.0/16');
    expect(config.spec.cluster.certificateAuthority).toBe(rc.cluster.caBundle);
    expect(config.spec.kubelet.config.maxPods).toBe(29);
    expect(config.spec.kubelet.config.registerWithTaints).toEqual([
      { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
      { key: 'example.com/agent', effect: 'NoSchedule' },
      { key: 'karpenter.sh/unregistered', effect: 'NoExecute' },
    ]);
    // The kubelet may set these; instance facts and node-role.kubernetes.io are registration's.
    expect(config.spec.kubelet.flags).toEqual([
      `--node-labels="berth.dev/image=${world.image.id},karpenter.sh/capacity-type=on-demand,karpenter.sh/nodepool=general,team=web"`,
    ]);
  });

  it('launches nothing for a class that does not resolve, and says why', async () => {
    const aws = stack({
      broken: motoNodeClass(world, 'e2e', 'broken', {
        subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'other' } }],
      }),
    });
    await expect(aws.cloud.create({ ...request, nodeClass: 'broken' })).rejects.toThrow(
      NodeClassNotReadyError,
    );
    await expect(aws.cloud.create({ ...request, nodeClass: 'broken' })).rejects.toThrow(
      /EC2NodeClass broken is not ready: SubnetsNotFound: no subnet matches subnetSelectorTerms/,
    );
    await expect(aws.cloud.create({ ...request, nodeClass: 'missing' })).rejects.toThrow(/NodeClassNotFound/);
  });
});

describe('the aws catalog against moto_server', () => {
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const options = () => ({
    client,
    region: 'us-east-1',
    zones,
    builtin: builtinCatalog(),
    now: () => new Date(),
  });

  it('describes instance types with allocatable from the overhead model and quoted spot prices', async () => {
    const catalog = await describeCatalog(options());
    expect(catalog.types.length).toBeGreaterThan(500);
    expect(catalog.source).toMatch(/^aws us-east-1 DescribeInstanceTypes/);
    const m5 = catalog.byName('m5.xlarge');
    // The README's check values, computed here from what EC2 describes.
    expect(m5?.allocatable).toMatchObject({ cpuMillis: 3920, memoryMiB: 14162, pods: 58, nvidiaGpu: 0 });
    expect(m5?.allocatable.ephemeralMiB).toBe(17 * 1024);
    expect(m5?.labels['kubernetes.io/arch']).toBe('amd64');
    expect(m5?.labels['karpenter.k8s.aws/instance-family']).toBe('m5');
    expect(catalog.price(m5!, 'us-east-1a', 'on-demand')).toBe(0.192);
    // moto quotes every spot price as 0.00001: a quote, not the model.
    expect(catalog.price(m5!, 'us-east-1a', 'spot')).toBe(0.00001);
    expect(catalog.price(m5!, 'us-west-2a', 'spot')).toBeNull();
    const arm = catalog.byName('m6g.large');
    expect(arm?.labels['kubernetes.io/arch']).toBe('arm64');
    expect(arm?.allocatable).toEqual(builtinCatalog().byName('m6g.large')?.allocatable);
  });

  it('keeps the last good catalog when a refresh fails', async () => {
    const errors: unknown[] = [];
    const source = new AwsCatalogSource(options(), (e) => errors.push(e));
    expect(source.current).toBe(builtinCatalog());
    const described = await source.refresh();
    expect(source.current).toBe(described);
    const broken = new AwsCatalogSource(
      {
        ...options(),
        client: new EC2Client({
          region: 'us-east-1',
          endpoint: 'http://127.0.0.1:9',
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          maxAttempts: 1,
        }),
      },
      (e) => errors.push(e),
    );
    await expect(broken.refresh()).rejects.toThrow('describing the instance catalog of us-east-1');
    expect(broken.current).toBe(builtinCatalog());
  });
});
