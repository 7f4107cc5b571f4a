import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../catalog/catalog.js';
import { workloadOfPod } from '../cost/sources.js';
import { clusterSeries, resourceType, type ClusterSnapshot } from './cluster-series.js';

const node = (name: string, pool: string | undefined, type = 'm5.large'): V1Node => ({
  metadata: {
    name,
    labels: {
      'node.kubernetes.io/instance-type': type,
      'topology.kubernetes.io/zone': 'us-east-1a',
      'karpenter.sh/capacity-type': 'on-demand',
      'kubernetes.io/arch': 'amd64',
      ...(pool ? { 'karpenter.sh/nodepool': pool } : {}),
    },
  },
  status: { allocatable: { cpu: '1930m', memory: '6903Mi', pods: '29' } },
});
const pod = (
  name: string,
  nodeName: string | undefined,
  cpu: string,
  memory: string,
  extra: Partial<V1Pod['metadata']> = {},
): V1Pod => ({
  metadata: { name, namespace: 'shop', ...extra },
  spec: {
    ...(nodeName ? { nodeName } : {}),
    containers: [{ name: 'c', resources: { requests: { cpu, memory } } }],
  },
  status: {
    phase: nodeName ? 'Running' : 'Pending',
    conditions: nodeName ? [{ type: 'Ready', status: 'True' }] : [],
  },
});
const rs = (name: string, hash: string) => ({
  labels: { 'pod-template-hash': hash, 'berth.dev/runtime-class': 'general' },
  ownerReferences: [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${hash}`, uid: 'u', controller: true },
  ],
});
const daemon = {
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'd', controller: true }],
};

const snapshot = (extra: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({
  nodes: [node('n1', 'general'), node('kind-node', undefined, 'not-a-type')],
  pods: [
    pod('web-1', 'n1', '965m', '1Gi', rs('web', 'abc12')),
    pod('agent-1', 'n1', '100m', '128Mi', daemon),
    pod('waiting', undefined, '1', '1Gi'),
  ],
  nodePools: [
    {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'general' },
      spec: { limits: { cpu: '100', memory: '400Gi', nodes: 10 } },
      status: { resources: { cpu: '2', memory: '8Gi', nodes: '1' } },
    },
  ],
  nodeClaims: [
    {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name: 'c1' },
      status: {
        nodeName: 'n1',
        conditions: [
          { type: 'Consolidatable', status: 'True' },
          { type: 'Drifted', status: 'True' },
        ],
      },
    },
    {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name: 'c2' },
      status: { nodeName: 'gone', conditions: [{ type: 'Consolidatable', status: 'True' }] },
    },
  ],
  catalog: builtinCatalog(),
  ...extra,
});

const value = (
  rows: readonly { labels: Record<string, string>; value: number }[],
  match: Record<string, string>,
) => rows.filter((r) => Object.entries(match).every(([k, v]) => r.labels[k] === v)).map((r) => r.value);

describe('clusterSeries', () => {
  const s = clusterSeries(snapshot());

  it("gives each node's allocatable and requests in Karpenter's units: CPU in cores, memory in bytes", () => {
    expect(value(s.allocatable, { node_name: 'n1', resource_type: 'cpu' })).toEqual([1.93]);
    expect(value(s.allocatable, { node_name: 'n1', resource_type: 'memory' })).toEqual([6903 * 2 ** 20]);
    expect(value(s.podRequests, { node_name: 'n1', resource_type: 'cpu' })).toEqual([1.065]);
    expect(value(s.podRequests, { node_name: 'n1', resource_type: 'pods' })).toEqual([2]);
    expect(value(s.daemonRequests, { node_name: 'n1', resource_type: 'memory' })).toEqual([128 * 2 ** 20]);
    expect(s.allocatable.find((r) => r.labels.node_name === 'n1')?.labels).toMatchObject({
      nodepool: 'general',
      managed: 'true',
      instance_type: 'm5.large',
      capacity_type: 'on-demand',
      zone: 'us-east-1a',
      arch: 'amd64',
    });
    expect(value(s.allocatable, { node_name: 'kind-node', resource_type: 'cpu', managed: 'false' })).toEqual([
      1.93,
    ]);
  });

  it("labels each pod's state as Karpenter does", () => {
    expect(s.pods.find((p) => p.labels.name === 'web-1')?.labels).toMatchObject({
      owner: '/apis/apps/v1/namespaces/shop/replicasets/web-abc12',
      node: 'n1',
      scheduled: 'true',
      nodepool: 'general',
      phase: 'Running',
      ready: 'true',
    });
    expect(s.pods.find((p) => p.labels.name === 'waiting')?.labels).toMatchObject({
      scheduled: 'false',
      phase: 'Pending',
      nodepool: '',
    });
  });

  it('gives NodePool usage and limits, and the nodes eligible for disruption by reason', () => {
    expect(value(s.poolLimits, { nodepool: 'general', resource_type: 'cpu' })).toEqual([100]);
    // karpenter_nodepools_limit{resource_type="nodes"} (Karpenter v1.11 limits.nodes).
    expect(value(s.poolLimits, { nodepool: 'general', resource_type: 'nodes' })).toEqual([10]);
    expect(value(s.poolUsage, { nodepool: 'general', resource_type: 'memory' })).toEqual([8 * 2 ** 30]);
    expect(value(s.poolUsage, { resource_type: 'nodes' })).toEqual([1]);
    expect(value(s.eligible, { reason: 'drifted' })).toEqual([1]);
    expect(value(s.eligible, { reason: 'underutilized' })).toEqual([1]);
    expect(value(s.eligible, { reason: 'empty' })).toEqual([1]);
  });

  it("takes the eligible nodes from the disruption controller's count when it has one (blocked nodes left out)", () => {
    const counted = clusterSeries(snapshot({ eligible: { drifted: 0, underutilized: 3, empty: 0 } }));
    expect(value(counted.eligible, { reason: 'underutilized' })).toEqual([3]);
    expect(value(counted.eligible, { reason: 'drifted' })).toEqual([0]);
  });

  it("attributes the priced nodes' cost to their pods, the rest idle", () => {
    // web-1 takes half of m5.large's CPU, the agent 100m of it (more than its memory share): $0.096/h in all.
    expect(
      value(s.cost, { workload: 'Deployment/web', class: 'general', nodepool: 'general' })[0],
    ).toBeCloseTo(0.048, 6);
    expect(value(s.cost, { workload: 'DaemonSet/agent' })[0]).toBeCloseTo(0.096 * (100 / 1930), 6);
    const total = [...s.cost, ...s.idle].reduce((a, r) => a + r.value, 0);
    expect(total).toBeCloseTo(0.096, 10);
  });

  it("costs each node whole when told its pool's node cost: its pods pay their share of it too", () => {
    const whole = clusterSeries(snapshot({ nodeCostOf: (pool) => (pool === 'general' ? 0.032 : 0) }));
    expect(
      value(whole.cost, { workload: 'Deployment/web', class: 'general', nodepool: 'general' })[0],
    ).toBeCloseTo((0.096 + 0.032) / 2, 6);
    const total = [...whole.cost, ...whole.idle].reduce((a, r) => a + r.value, 0);
    expect(total).toBeCloseTo(0.096 + 0.032, 10);
  });

  it('serves only the cost beside a Karpenter (Karpenter serves its own)', () => {
    const beside = clusterSeries(snapshot({ karpenterNames: false }));
    expect(
      [beside.allocatable, beside.pods, beside.poolUsage, beside.eligible].every((x) => x.length === 0),
    ).toBe(true);
    expect(beside.cost.length).toBeGreaterThan(0);
  });

  it.each([
    ['nvidia.com/gpu', 'nvidia.com/gpu'],
    ['ephemeral-storage', 'ephemeral_storage'],
    ['CPU', 'cpu'],
  ])('names resource %s as %s', (name, want) => {
    expect(resourceType(name)).toBe(want);
  });
});

describe('workloadOfPod', () => {
  it.each([
    ["a ReplicaSet's pod is its Deployment's", rs('web', 'abc12'), 'Deployment/web'],
    [
      'a ReplicaSet without a template hash is itself',
      { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u' }] },
      'ReplicaSet/rs',
    ],
    [
      "a Job's pod is its Job's",
      { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'u', controller: true }] },
      'Job/j',
    ],
    ['a bare pod is itself', {}, 'Pod/p'],
  ])('%s', (_, meta, want) => {
    expect(workloadOfPod(pod('p', 'n1', '1', '1Gi', meta))).toBe(want);
  });
});
