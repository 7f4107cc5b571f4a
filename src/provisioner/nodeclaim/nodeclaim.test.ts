import { ZERO } from '../solver/resources.js';
import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import type { PlannedNode } from '../solver/model.js';
import { observed, sameConditions, withTransitions } from './conditions.js';
import {
  claimFor,
  instanceOfClaim,
  launchedDetails,
  TERMINATION_FINALIZER,
  type NodeClaim,
} from './object.js';
import { limitReached, poolStatus, poolUsage, withInFlight } from './pool-status.js';
import { onClaimsToo } from './events.js';
import { pastConsolidateAfter } from '../disruption/kept.js';

const pool: NodePool = {
  metadata: { name: 'general', uid: 'uid-general' } as NodePool['metadata'],
  spec: {
    limits: { cpu: '8' },
    template: {
      metadata: { labels: { team: 'web' } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'berth' },
        requirements: [
          { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['m'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand', 'spot'] },
        ],
        taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
        startupTaints: [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }],
        terminationGracePeriod: '1h',
      },
    },
  },
};
const planned: PlannedNode = {
  name: 'berth-abc-1-0',
  nodePool: 'general',
  instanceType: 'm5.large',
  zone: 'us-east-1b',
  capacityType: 'on-demand',
  pricePerHour: 0.096,
  existing: false,
  pods: ['apps/web-0', 'apps/web-1'],
  labels: { team: 'web' },
  taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
  alternatives: ['m5a.large', 'm6i.large'],
};
const catalog = builtinCatalog();

describe('claimFor', () => {
  const claim = claimFor(planned, poolView(pool), { ...ZERO, cpu: 1000, mem: 1536, pods: 2 });

  it('is owned by its NodePool, carries the termination finalizer and the pool and template labels', () => {
    expect(claim.metadata).toMatchObject({
      name: 'berth-abc-1-0',
      labels: { team: 'web', 'karpenter.sh/nodepool': 'general' },
      finalizers: [TERMINATION_FINALIZER],
      ownerReferences: [
        {
          apiVersion: 'karpenter.sh/v1',
          kind: 'NodePool',
          name: 'general',
          uid: 'uid-general',
          blockOwnerDeletion: true,
        },
      ],
    });
  });

  it('narrows the requirements to the types, zone and capacity type the plan allows, keeping the rest', () => {
    expect(claim.spec.requirements).toEqual([
      { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['m'] },
      {
        key: 'node.kubernetes.io/instance-type',
        operator: 'In',
        values: ['m5.large', 'm5a.large', 'm6i.large'],
      },
      { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1b'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
      { key: 'karpenter.sh/nodepool', operator: 'In', values: ['general'] },
    ]);
  });

  it("has the pods' requests, the class, taints, start-up taints and lifetimes of the pool", () => {
    expect(claim.spec).toMatchObject({
      resources: { requests: { cpu: '1', memory: '1536Mi', pods: '2' } },
      nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'berth' },
      taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
      startupTaints: [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }],
      expireAfter: '720h',
      terminationGracePeriod: '1h',
    });
  });

  it('has no owner reference for a pool read from a file (no uid)', () => {
    const fromFile = { ...pool, metadata: { name: 'general' } };
    expect(
      claimFor(planned, poolView(fromFile), { ...ZERO, cpu: 0, mem: 0, pods: 0 }).metadata.ownerReferences,
    ).toBe(undefined);
  });
});

describe('launchedDetails and instanceOfClaim', () => {
  const instance = {
    id: 'i-0abc',
    claim: 'berth-abc-1-0',
    nodePool: 'general',
    instanceType: 'm5.large',
    zone: 'us-east-1b',
    capacityType: 'on-demand',
    providerId: 'aws:///us-east-1b/i-0abc',
    launchedAt: new Date('2026-11-23T10:00:00Z'),
    imageId: 'ami-0123',
  };
  const d = launchedDetails(instance, catalog.byName('m5.large'));

  it("records the providerID, image, the type's capacity and allocatable, and the instance labels", () => {
    expect(d.status).toMatchObject({
      providerID: 'aws:///us-east-1b/i-0abc',
      imageID: 'ami-0123',
      capacity: { cpu: '2', pods: '29' },
      allocatable: { pods: '29' },
    });
    expect(d.labels).toMatchObject({
      'node.kubernetes.io/instance-type': 'm5.large',
      'topology.kubernetes.io/zone': 'us-east-1b',
      'karpenter.sh/capacity-type': 'on-demand',
      'karpenter.sh/nodepool': 'general',
    });
    expect(d.labels['kubernetes.io/hostname']).toBe(undefined);
  });

  it('reads the instance back from a launched claim, and nothing from one not launched', () => {
    const claim = claimFor(planned, poolView(pool), { ...ZERO, cpu: 0, mem: 0, pods: 0 });
    expect(instanceOfClaim(claim)).toBe(undefined);
    const launched: NodeClaim = {
      ...claim,
      metadata: { ...claim.metadata, labels: { ...claim.metadata.labels, ...d.labels } },
      status: {
        ...d.status,
        conditions: [
          {
            type: 'Launched',
            status: 'True',
            reason: 'Launched',
            message: '',
            lastTransitionTime: '2026-11-23T10:00:05Z',
          },
        ],
      },
    };
    expect(instanceOfClaim(launched)).toEqual({
      id: 'i-0abc',
      claim: 'berth-abc-1-0',
      nodePool: 'general',
      instanceType: 'm5.large',
      zone: 'us-east-1b',
      capacityType: 'on-demand',
      providerId: 'aws:///us-east-1b/i-0abc',
      launchedAt: new Date('2026-11-23T10:00:05Z'),
    });
  });
});

const launchedClaim = (): NodeClaim => ({
  ...claimFor(planned, poolView(pool), { ...ZERO, cpu: 0, mem: 0, pods: 0 }),
  status: { conditions: [{ type: 'Launched', status: 'True', reason: 'Launched', message: '' }] },
});
const node = (
  ready: boolean,
  taints: V1Node['spec'] = {},
  allocatable: Record<string, string> = {},
): V1Node => ({
  metadata: { name: 'ip-10-0-0-1' },
  spec: taints,
  status: { allocatable, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('observed conditions', () => {
  const at = (c: ReturnType<typeof observed>, type: string) => c.find((x) => x.type === type);
  it.each([
    ['no Node yet', undefined, 'Unknown', 'NodeNotFound', 'Unknown'],
    ['a Node not Ready', node(false), 'True', 'NodeNotReady', 'Unknown'],
    [
      'a start-up taint still there',
      node(true, { taints: [{ key: 'node.cilium.io/agent-not-ready', effect: 'NoExecute' }] }),
      'True',
      'StartupTaintsExist',
      'Unknown',
    ],
    ['Ready with start-up taints gone', node(true), 'True', 'Initialized', 'True'],
  ])('%s', (_, n, registered, initReason, ready) => {
    const c = observed(launchedClaim(), n, {});
    expect(at(c, 'Registered')?.status).toBe(registered);
    expect(at(c, 'Initialized')?.reason).toBe(initReason);
    expect(at(c, 'Ready')?.status).toBe(ready);
  });

  it('waits for an extended resource the claim asked for', () => {
    const claim = launchedClaim();
    claim.spec.resources = { requests: { cpu: '1', 'nvidia.com/gpu': '1' } };
    expect(at(observed(claim, node(true), {}), 'Initialized')).toMatchObject({
      reason: 'ResourceNotRegistered',
      message: 'Resource "nvidia.com/gpu" was requested but not registered',
    });
    expect(at(observed(claim, node(true, {}, { 'nvidia.com/gpu': '1' }), {}), 'Initialized')?.status).toBe(
      'True',
    );
  });

  it('says what disruption knows: drift, consolidatable, a drain under way', () => {
    const c = observed(launchedClaim(), node(true), {
      drifted: 'NodePoolDrifted: x',
      consolidatable: true,
      disrupting: 'deletion',
    });
    expect(at(c, 'Drifted')).toMatchObject({ status: 'True', message: 'NodePoolDrifted: x' });
    expect(at(c, 'Consolidatable')?.status).toBe('True');
    expect(at(c, 'Disrupting')).toMatchObject({ status: 'True', reason: 'Deleted' });
  });

  it('keeps a transition time while the status holds, and compares without it', () => {
    const t0 = new Date('2026-11-23T10:00:00Z');
    const first = withTransitions(undefined, observed(launchedClaim(), undefined, {}), t0);
    const again = withTransitions(
      first,
      observed(launchedClaim(), undefined, {}),
      new Date(t0.getTime() + 5000),
    );
    expect(again.find((c) => c.type === 'Registered')?.lastTransitionTime).toBe(t0.toISOString());
    const joined = observed(launchedClaim(), node(true), {});
    expect(sameConditions(first, joined)).toBe(false);
    expect(sameConditions(again, observed(launchedClaim(), undefined, {}))).toBe(true);
  });
});

describe('NodePool status', () => {
  const withCapacity = (name: string, cpu: string, memory: string): NodeClaim => ({
    ...launchedClaim(),
    metadata: { name, labels: { 'karpenter.sh/nodepool': 'general' } },
    status: { capacity: { cpu, memory, pods: '29' } },
  });
  const claims = [withCapacity('a', '2', '8Gi'), withCapacity('b', '4', '16Gi'), launchedClaim()];

  it("sums the launched claims' capacity, and counts nodes", () => {
    const u = poolUsage(claims).get('general');
    expect(u).toEqual({ cpuMillis: 6000, memoryMiB: 24576, pods: 58, nodes: 2 });
    expect(poolStatus(u, { ready: true, reason: '', message: '' })).toMatchObject({
      resources: { cpu: '6', memory: '24Gi', pods: '58', nodes: '2' },
      nodes: 2,
      conditions: [
        { type: 'ValidationSucceeded', status: 'True' },
        { type: 'NodeClassReady', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
    });
  });

  it('is not Ready when its class is not, and says why', () => {
    const s = poolStatus(undefined, {
      ready: false,
      reason: 'NodeClassNotFound',
      message: 'its EC2NodeClass does not exist',
    });
    expect(s.conditions[1]).toMatchObject({
      type: 'NodeClassReady',
      status: 'False',
      reason: 'NodeClassNotFound',
    });
    expect(s.conditions[2]).toMatchObject({ type: 'Ready', status: 'False' });
    expect(s.resources).toEqual({ cpu: '0', memory: '0Mi', pods: '0', nodes: '0' });
  });

  it('names the limit a pool reached', () => {
    const u = poolUsage([...claims, withCapacity('c', '2', '8Gi')]).get('general');
    expect(limitReached(poolView(pool), u)).toBe('cpu limit 8 reached (8 launched)');
    expect(limitReached(poolView(pool), poolUsage(claims).get('general'))).toBe(undefined);
  });

  // The claim cache lags a launch: a claim in flight that it does not show with capacity yet still
  // counts (else the next round launches past limits.nodes on a stale count).
  it('counts the claims in flight the cache does not show launched yet, once', () => {
    const inFlight = [
      {
        name: 'a',
        labels: { 'karpenter.sh/nodepool': 'general', 'node.kubernetes.io/instance-type': 'm5.large' },
      },
      {
        name: 'new',
        labels: { 'karpenter.sh/nodepool': 'general', 'node.kubernetes.io/instance-type': 'm5.large' },
      },
    ];
    const u = withInFlight(poolUsage(claims), claims, inFlight, () => ({
      cpu: '2',
      memory: '8Gi',
      pods: '29',
    }));
    expect(u.get('general')).toEqual({ cpuMillis: 8000, memoryMiB: 32768, pods: 87, nodes: 3 });
  });
});

describe('disruption Events on the NodeClaim too', () => {
  it("repeats a Node's Event on the claim whose node it is, and nothing else", () => {
    const sent: { kind: string; name: string }[] = [];
    const claim = { ...launchedClaim(), status: { nodeName: 'ip-1' } };
    const sink = onClaimsToo(
      { emit: (e) => sent.push({ kind: e.involved.kind, name: e.involved.name }) },
      () => [claim],
    );
    const e = { type: 'Normal' as const, reason: 'DisruptionBlocked', message: 'pdb' };
    sink.emit({ ...e, involved: { kind: 'Node', namespace: '', name: 'ip-1' } });
    sink.emit({ ...e, involved: { kind: 'Node', namespace: '', name: 'ip-2' } });
    sink.emit({ ...e, involved: { kind: 'Deployment', namespace: 'a', name: 'ip-1' } });
    expect(sent).toEqual([
      { kind: 'Node', name: 'ip-1' },
      { kind: 'NodeClaim', name: 'berth-abc-1-0' },
      { kind: 'Node', name: 'ip-2' },
      { kind: 'Deployment', name: 'ip-1' },
    ]);
  });
});

describe('Consolidatable: past consolidateAfter since a pod last came or went', () => {
  const withAfter = (after: string | undefined) =>
    poolView({
      ...pool,
      spec: { ...pool.spec, disruption: after === undefined ? {} : { consolidateAfter: after } },
    });
  it.each([
    ['30s, last pod event 40 s ago', '30s', 40_000, true],
    ['30s, last pod event 10 s ago', '30s', 10_000, false],
    ['Never', 'Never', 1e9, false],
    ['unset: the policies default (15 s)', undefined, 20_000, true],
  ])('%s', (_, after, ago, expected) => {
    expect(
      pastConsolidateAfter(withAfter(after), 1_000_000 - ago, { now: 1_000_000, defaultMs: 15_000 }),
    ).toBe(expected);
  });
});
