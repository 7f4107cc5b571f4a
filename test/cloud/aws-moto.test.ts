/**
 * The aws provider against moto_server: real EC2 request and response shapes for the whole cycle —
 * subnet discovery, launch template, CreateFleet (idempotent), list from tags, terminate.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsCatalogSource, describeCatalog } from '../../src/provisioner/catalog/aws-catalog.js';
import { builtinCatalog } from '../../src/provisioner/catalog/catalog.js';
import { AwsCloud } from '../../src/provisioner/cloud/aws.js';
import { instanceIdOf } from '../../src/provisioner/cloud/provider.js';
import { motoNetwork, startMoto, type Moto } from './moto.js';

let moto: Moto;
let client: EC2Client;
let imageId = '';

beforeAll(async () => {
  moto = await startMoto();
  client = new EC2Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  imageId = await motoNetwork(client, 'e2e');
}, 60_000);

afterAll(async () => {
  client.destroy();
  await moto.stop();
});

const request = {
  claim: 'berth-0001',
  nodePool: 'general',
  nodeClass: 'default',
  capacityType: 'on-demand',
  instanceTypes: ['m5.large', 'm5.xlarge'],
  zones: ['us-east-1b'],
  labels: {},
  taints: [],
};

describe('aws provider against moto_server', () => {
  it('launches through CreateFleet, once per claim, lists by tags and terminates', async () => {
    const cloud = new AwsCloud({ client, clusterName: 'e2e', imageId });
    const launched = await cloud.create(request);
    expect(launched.instanceType).toBe('m5.large');
    expect(launched.zone).toBe('us-east-1b');
    expect(launched.providerId).toBe(`aws:///us-east-1b/${launched.id}`);
    expect(instanceIdOf(launched.providerId)).toBe(launched.id);

    const listed = await cloud.list();
    expect(listed.map((i) => ({ id: i.id, claim: i.claim, nodePool: i.nodePool, zone: i.zone }))).toEqual([
      { id: launched.id, claim: 'berth-0001', nodePool: 'general', zone: 'us-east-1b' },
    ]);

    // A restart rebuilds in-flight state from the tags: a fresh provider sees the same instance.
    const restarted = new AwsCloud({ client, clusterName: 'e2e', imageId });
    expect((await restarted.list()).map((i) => i.claim)).toEqual(['berth-0001']);

    await cloud.delete(launched.id);
    expect(await cloud.list()).toEqual([]);
  });

  it('says when no subnet is tagged for the cluster', async () => {
    const cloud = new AwsCloud({ client, clusterName: 'other', imageId });
    await expect(cloud.create(request)).rejects.toThrow('no subnet tagged karpenter.sh/discovery=other');
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
    expect(m5?.allocatable).toEqual({ cpuMillis: 3920, memoryMiB: 14162, pods: 58, nvidiaGpu: 0 });
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
