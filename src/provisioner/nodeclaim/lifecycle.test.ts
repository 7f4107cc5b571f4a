import { ZERO } from '../solver/resources.js';
import type { V1Node } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import type { EventSpec } from '../../kube/events.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { SimulatedCloud } from '../cloud/simulated.js';
import { InsufficientCapacityError, type Instance } from '../cloud/provider.js';
import { UnavailableOfferings } from '../cloud/unavailable.js';
import { Provisioner } from '../controller/provisioner.js';
import { solverPod } from '../input/pods.js';
import { DISRUPTION_ANNOTATION } from '../disruption/marks.js';
import type { PlannedNode } from '../solver/model.js';
import { ClaimLauncher } from './launcher.js';
import { DEFER_MS, GC_GRACE_MS, NodeClaimLifecycle } from './lifecycle.js';
import { isTrue, TERMINATION_FINALIZER } from './object.js';
import { MemoryClaimStore } from './store.js';
import { Metrics } from '../../observability/metrics.js';

const catalog = builtinCatalog();
const pool: NodePool = {
  metadata: { name: 'general' },
  spec: {
    template: {
      spec: {
        nodeClassRef: { name: 'berth' },
        requirements: [
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large', 'm5.xlarge'] },
        ],
      },
    },
  },
};
const planned = (name: string): PlannedNode => ({
  name,
  nodePool: 'general',
  instanceType: 'm5.large',
  zone: 'us-east-1a',
  capacityType: 'on-demand',
  pricePerHour: 0.096,
  existing: false,
  pods: [],
  labels: {},
  taints: [],
  alternatives: ['m5.xlarge'],
});
const requests = { ...ZERO, cpu: 500, mem: 1024, pods: 1 };

function world(short = false, listedBefore?: readonly Instance[], podsWaiting?: () => boolean) {
  let now = Date.parse('2026-11-23T10:00:00Z');
  const clock = () => new Date(now);
  const nodes = new Map<string, V1Node>();
  const events: EventSpec[] = [];
  const disrupted: string[] = [];
  const claims = new MemoryClaimStore(clock);
  const cloud = new SimulatedCloud({
    catalog,
    clock,
    shortOf: () => short,
    register: (n) => {
      nodes.set(n.metadata?.name ?? '', n);
      return Promise.resolve();
    },
    deregister: (name) => {
      nodes.delete(name);
      return Promise.resolve();
    },
  });
  const seen: string[] = [];
  const metrics = new Metrics({ defaults: false });
  const launcher = new ClaimLauncher({
    metrics,
    cloud: {
      name: 'simulated',
      create: (req) => {
        // The claim is there before the cloud is called.
        seen.push(claims.get(req.claim) ? 'claim-first' : 'cloud-first');
        return cloud.create(req);
      },
      delete: (id) => cloud.delete(id),
      list: () => cloud.list(),
    },
    claims,
    catalog: () => catalog,
    pool: (name) => (name === 'general' ? poolView(pool) : undefined),
    nodeClassOf: () => 'berth',
    events: { emit: (e) => events.push(e) },
    clock,
  });
  const drained: string[] = [];
  const lifecycle = new NodeClaimLifecycle({
    claims,
    nodes: () => [...nodes.values()],
    // listedBefore: a cached list taken before the launches, which only `fresh` bypasses.
    instances: (fresh) => (listedBefore && !fresh ? Promise.resolve(listedBefore) : cloud.list()),
    launcher,
    launching: (c) => launcher.launching(c),
    signals: () => ({}),
    ops: {
      drain: (n) => {
        drained.push(n.metadata?.name ?? '');
        n.metadata ??= {};
        n.metadata.annotations = { [DISRUPTION_ANNOTATION]: 'draining:deletion' };
        return Promise.resolve();
      },
      terminateInstance: (id) => cloud.delete(id),
      addNodeFinalizer: (n) => {
        n.metadata ??= {};
        n.metadata.finalizers = [TERMINATION_FINALIZER];
        return Promise.resolve();
      },
      releaseNode: (n) => {
        nodes.delete(n.metadata?.name ?? '');
        return Promise.resolve();
      },
    },
    events: { emit: (e) => events.push(e) },
    logger: pino({ level: 'silent' }),
    clock,
    onDisrupted: (claim, reason) => disrupted.push(`${claim.metadata.name}:${reason}`),
    ...(podsWaiting ? { podsWaiting } : {}),
  });
  return {
    disrupted,
    claims,
    cloud,
    nodes,
    events,
    launcher,
    lifecycle,
    seen,
    drained,
    advance: (ms: number) => (now += ms),
    clock,
    metrics,
  };
}

async function counted(
  m: Metrics,
  name: string,
): Promise<{ labels: Record<string, unknown>; value: number }[]> {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (metric?.values ?? []).map((v) => ({ labels: { ...v.labels }, value: v.value }));
}

describe('ClaimLauncher', () => {
  it('creates the NodeClaim before the cloud call, then records the instance on it', async () => {
    const w = world();
    const instance = await w.launcher.launch(planned('c1'), requests);
    expect(w.seen).toEqual(['claim-first']);
    const claim = w.claims.get('c1');
    expect(isTrue(claim ?? { status: {} }, 'Launched')).toBe(true);
    expect(claim?.status?.providerID).toBe(instance.providerId);
    expect(claim?.status?.capacity?.cpu).toBe('2');
    expect(claim?.metadata.labels?.['node.kubernetes.io/instance-type']).toBe('m5.large');
    expect(claim?.spec.resources?.requests).toEqual({ cpu: '500m', memory: '1Gi', pods: '1' });
  });

  it('with recordLater, returns once the instance exists; the claim is launching until its record is written', async () => {
    const w = world();
    const instance = await w.launcher.launch(planned('c1'), requests, 'provisioned', { recordLater: true });
    expect(w.launcher.launching('c1')).toBe(true);
    await w.launcher.recorded();
    expect(w.launcher.launching('c1')).toBe(false);
    const claim = w.claims.get('c1');
    expect(isTrue(claim ?? { status: {} }, 'Launched')).toBe(true);
    expect(claim?.status?.providerID).toBe(instance.providerId);
  });

  it('deletes the claim of a launch refused for capacity, with an Event naming the offerings tried', async () => {
    const w = world(true);
    await expect(w.launcher.launch(planned('c1'), requests)).rejects.toBeInstanceOf(
      InsufficientCapacityError,
    );
    expect(w.claims.list()).toEqual([]);
    expect(w.events).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'InsufficientCapacityError',
        message: expect.stringMatching(
          /m5\.large\/us-east-1a\/on-demand, m5\.xlarge\/us-east-1a\/on-demand/,
        ) as string,
      }),
    ]);
  });
});

describe("ClaimLauncher's metrics", () => {
  it("counts each claim created by Karpenter's reason: provisioned, or the disruption's", async () => {
    const w = world();
    await w.launcher.launch(planned('c1'), requests);
    await w.launcher.launch(planned('c2'), requests, 'drifted');
    expect(await counted(w.metrics, 'karpenter_nodeclaims_created_total')).toEqual([
      { labels: { reason: 'provisioned', nodepool: 'general', min_values_relaxed: 'false' }, value: 1 },
      { labels: { reason: 'drifted', nodepool: 'general', min_values_relaxed: 'false' }, value: 1 },
    ]);
  });

  it('counts a refused launch as a cloud provider error, and each offering short of capacity', async () => {
    const w = world(true);
    await expect(w.launcher.launch(planned('c1'), requests)).rejects.toBeInstanceOf(
      InsufficientCapacityError,
    );
    expect(await counted(w.metrics, 'karpenter_cloudprovider_errors_total')).toEqual([
      {
        labels: {
          controller: 'nodeclaim.lifecycle',
          method: 'Create',
          provider: 'simulated',
          error: 'InsufficientCapacityError',
        },
        value: 1,
      },
    ]);
    const short = await counted(w.metrics, 'berth_cloud_insufficient_capacity_total');
    expect(short).toEqual(
      expect.arrayContaining([
        { labels: { instance_type: 'm5.large', zone: 'us-east-1a', capacity_type: 'on-demand' }, value: 1 },
        { labels: { instance_type: 'm5.xlarge', zone: 'us-east-1a', capacity_type: 'on-demand' }, value: 1 },
      ]),
    );
  });
});

describe('NodeClaimLifecycle', () => {
  it("follows the Node: Registered, Initialized and Ready, the node's name, and the Node's finalizer", async () => {
    const w = world();
    await w.launcher.launch(planned('c1'), requests);
    const r = await w.lifecycle.round();
    expect(r.updated).toEqual(['c1']);
    const claim = w.claims.get('c1');
    expect(claim?.status?.nodeName).toBe('c1');
    expect(['Launched', 'Registered', 'Initialized', 'Ready'].every((t) => isTrue(claim ?? {}, t))).toBe(
      true,
    );
    expect(w.nodes.get('c1')?.metadata?.finalizers).toEqual([TERMINATION_FINALIZER]);
    expect((await w.lifecycle.round()).updated).toEqual([]); // nothing changed: nothing written
  });

  it('puts off the status and the finalizer while pods wait on the API server, up to DEFER_MS', async () => {
    let waiting = true;
    const w = world(false, undefined, () => waiting);
    const registered = (c: string) => isTrue(w.claims.get(c) ?? {}, 'Registered');
    await w.launcher.launch(planned('c1'), requests);
    expect((await w.lifecycle.round()).updated).toEqual([]);
    expect(registered('c1')).toBe(false);
    expect(w.nodes.get('c1')?.metadata?.finalizers).toBeUndefined();
    waiting = false;
    expect((await w.lifecycle.round()).updated).toEqual(['c1']);
    expect(registered('c1')).toBe(true);
    expect(w.nodes.get('c1')?.metadata?.finalizers).toEqual([TERMINATION_FINALIZER]);
    // Pods that keep waiting hold a claim's writes DEFER_MS at most.
    waiting = true;
    await w.launcher.launch(planned('c2'), requests);
    expect((await w.lifecycle.round()).updated).toEqual([]);
    w.advance(DEFER_MS - 1);
    expect((await w.lifecycle.round()).updated).toEqual([]);
    w.advance(1);
    expect((await w.lifecycle.round()).updated).toEqual(['c2']);
    expect(w.nodes.get('c2')?.metadata?.finalizers).toEqual([TERMINATION_FINALIZER]);
  });

  it('adopts the instance tagged with an unlaunched claim (the status write was lost)', async () => {
    const w = world();
    await w.claims.create({ ...(await launchedThenForgotten(w)) });
    const r = await w.lifecycle.round();
    expect(r.adopted).toEqual(['c1']);
    expect(isTrue(w.claims.get('c1') ?? {}, 'Launched')).toBe(true);
  });

  it('deletes a claim no instance was launched for once the grace is over, never one being launched', async () => {
    const w = world();
    await w.claims.create({ ...claimOnly('c9') });
    expect((await w.lifecycle.round()).abandoned).toEqual([]);
    w.advance(GC_GRACE_MS + 1);
    expect((await w.lifecycle.round()).abandoned).toEqual(['c9']);
    expect(w.claims.list()).toEqual([]);
    expect(w.events.map((e) => e.reason)).toEqual(['LaunchAbandoned']);
    // Karpenter's liveness controller: karpenter_nodeclaims_disrupted_total{reason="launch_timeout"}.
    expect(w.disrupted).toEqual(['c9:launch_timeout']);
  });

  it('collects a launched claim whose instance is gone, and terminates an instance with no claim', async () => {
    const w = world();
    const a = await w.launcher.launch(planned('c1'), requests);
    const b = await w.launcher.launch(planned('c2'), requests);
    await w.cloud.delete(a.id); // gone behind Berth's back (its Node with it)
    await w.claims.delete('c2');
    await w.claims.release('c2', TERMINATION_FINALIZER); // claim gone, instance left
    w.advance(GC_GRACE_MS + 1);
    const r = await w.lifecycle.round();
    expect(r.collected).toEqual(['c1']);
    expect(w.disrupted).toEqual(['c1:garbage_collected']);
    expect(r.orphans).toEqual([b.id]);
    await w.lifecycle.round();
    expect(w.claims.list()).toEqual([]);
    expect(await w.cloud.list()).toEqual([]);
  });

  it('gives an instance launched before NodeClaims (legacy tag) its claim instead of terminating it', async () => {
    const w = world();
    const legacy = {
      id: 'i-0legacy',
      claim: 'berth-old-1',
      nodePool: 'general',
      instanceType: 'm5.large',
      zone: 'us-east-1a',
      capacityType: 'on-demand',
      providerId: 'aws:///us-east-1a/i-0legacy',
      launchedAt: new Date(0),
      legacy: true as const,
    };
    const lifecycle = new NodeClaimLifecycle({
      claims: w.claims,
      nodes: () => [],
      instances: () => Promise.resolve([legacy]),
      launcher: w.launcher,
      launching: () => false,
      signals: () => ({}),
      ops: {
        drain: () => Promise.resolve(),
        terminateInstance: () => Promise.reject(new Error('must not terminate')),
        addNodeFinalizer: () => Promise.resolve(),
        releaseNode: () => Promise.resolve(),
      },
      events: { emit: () => undefined },
      logger: pino({ level: 'silent' }),
      clock: w.clock,
    });
    expect((await lifecycle.round()).adopted).toEqual(['berth-old-1']);
    const claim = w.claims.get('berth-old-1');
    expect(claim?.status?.providerID).toBe('aws:///us-east-1a/i-0legacy');
    expect(isTrue(claim ?? {}, 'Launched')).toBe(true);
    expect((await lifecycle.round()).orphans).toEqual([]);
  });

  it('deleting a claim drains its Node first, then terminates the instance and removes both', async () => {
    const w = world();
    const i = await w.launcher.launch(planned('c1'), requests);
    await w.lifecycle.round();
    await w.claims.delete('c1');
    expect(w.claims.get('c1')?.metadata.deletionTimestamp).toBeDefined(); // held by the finalizer
    await w.lifecycle.round();
    expect(w.drained).toEqual(['c1']);
    await w.lifecycle.round(); // still draining: nothing more
    expect(w.drained).toEqual(['c1']);
    expect(await w.cloud.list()).toHaveLength(1);
    await w.cloud.delete(i.id); // the drainer terminates it when the node is empty
    await w.lifecycle.round();
    expect(w.claims.list()).toEqual([]);
    expect(w.nodes.size).toBe(0);
    expect(w.events.map((e) => e.reason)).toEqual(['Disrupting', 'Terminated']);
  });

  it('a claim deleted before the cached instance list shows its instance still drains its Node', async () => {
    const w = world(false, []);
    const i = await w.launcher.launch(planned('c1'), requests);
    await w.lifecycle.round();
    await w.claims.delete('c1');
    await w.lifecycle.round();
    expect(w.drained).toEqual(['c1']);
    expect(w.nodes.has('c1')).toBe(true);
    expect((await w.cloud.list()).map((x) => x.id)).toEqual([i.id]);
  });

  it('a round takes the claims going first, several at once', async () => {
    const w = world();
    for (const n of ['c1', 'c2', 'c3', 'c4', 'c5']) await w.launcher.launch(planned(n), requests);
    await w.lifecycle.round();
    await w.claims.delete('c5');
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const store = {
      list: () => w.claims.list(),
      get: (name: string) => w.claims.get(name),
      delete: (name: string) => w.claims.delete(name),
      release: (name: string, f: string) => w.claims.release(name, f),
      create: (c: Parameters<typeof w.claims.create>[0]) => w.claims.create(c),
      update: async (name: string, change: Parameters<typeof w.claims.update>[1]) => {
        log.push(`update ${name}`);
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        await w.claims.update(name, change);
      },
    };
    const lifecycle = new NodeClaimLifecycle({
      claims: store,
      nodes: () => [...w.nodes.values()],
      instances: () => w.cloud.list(),
      launcher: w.launcher,
      launching: () => false,
      // Every claim turns Consolidatable: each one's status is written this round.
      signals: () => ({ consolidatable: true }),
      ops: {
        drain: (n) => {
          log.push(`drain ${n.metadata?.name ?? ''}`);
          return Promise.resolve();
        },
        terminateInstance: (id) => w.cloud.delete(id),
        addNodeFinalizer: () => Promise.resolve(),
        releaseNode: () => Promise.resolve(),
      },
      events: { emit: () => undefined },
      logger: pino({ level: 'silent' }),
      clock: w.clock,
      concurrency: 3,
    });
    await lifecycle.round();
    expect(log[0]).toBe('drain c5');
    expect(log.filter((l) => l.startsWith('update')).length).toBeGreaterThan(1);
    expect(most).toBe(3);
  });

  it('deleting the Node deletes its claim, which then drains', async () => {
    const w = world();
    await w.launcher.launch(planned('c1'), requests);
    await w.lifecycle.round();
    const n = w.nodes.get('c1');
    if (n?.metadata) n.metadata.deletionTimestamp = w.clock();
    await w.lifecycle.round();
    expect(w.claims.get('c1')?.metadata.deletionTimestamp).toBeDefined();
    await w.lifecycle.round();
    expect(w.drained).toEqual(['c1']);
  });
});

describe('Provisioner with NodeClaims', () => {
  const pods = Array.from({ length: 4 }, (_, i) =>
    solverPod(`default/web-${i}`, 'default', {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '1Gi' } } }] },
    }),
  );

  it('launches every planned node as a claim and, restarted, recovers the in-flight set from the claims', async () => {
    const w = world();
    const deps = {
      cloud: w.cloud,
      unavailable: new UnavailableOfferings(() => w.clock().getTime()),
      now: () => w.clock().getTime(),
      launch: (n: PlannedNode, r: typeof requests) => w.launcher.launch(n, r),
      claims: w.claims,
    };
    const first = await new Provisioner(deps).reconcile({
      pods,
      nodes: [],
      pools: [poolView(pool)],
      daemonSets: [],
      catalog,
    });
    expect(first.launched.length).toBeGreaterThan(0);
    expect(
      w.claims
        .list()
        .map((c) => c.metadata.name)
        .sort(),
    ).toEqual(first.launched.map((i) => i.claim).sort());
    const total = w.claims.list().reduce((n, c) => n + Number(c.spec.resources?.requests?.pods ?? 0), 0);
    expect(total).toBe(4);
    const restarted = new Provisioner({ ...deps, cloud: new SimulatedCloud({ catalog }) });
    expect(await restarted.recover([])).toBe(first.launched.length);
  });
});

function claimOnly(name: string) {
  return {
    apiVersion: 'karpenter.sh/v1' as const,
    kind: 'NodeClaim' as const,
    metadata: { name, labels: { 'karpenter.sh/nodepool': 'general' }, finalizers: [TERMINATION_FINALIZER] },
    spec: {
      requirements: [],
      nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'berth' },
    },
  };
}

/** A launch whose claim write never happened: the instance exists, tagged with the claim's name. */
async function launchedThenForgotten(w: ReturnType<typeof world>) {
  await w.cloud.create({ ...w.launcher.request(planned('c1')) });
  return claimOnly('c1');
}
