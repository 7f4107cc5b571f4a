import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { SimulatedCloud } from '../cloud/simulated.js';
import { UnavailableOfferings } from '../cloud/unavailable.js';
import { solverPod } from '../input/pods.js';
import { existingNode } from '../input/nodes.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import type { V1Node } from '@kubernetes/client-node';
import type { SolverInput, SolverPod } from '../solver/model.js';
import { HOLD_MS } from './hold.js';
import { LAUNCH_CONCURRENCY, Provisioner } from './provisioner.js';
import type { NodeClaim } from '../nodeclaim/object.js';

const catalog = builtinCatalog();
const pool: NodePool = {
  metadata: { name: 'general' },
  spec: {
    template: {
      spec: {
        nodeClassRef: { name: 'default' },
        requirements: [
          {
            key: 'node.kubernetes.io/instance-type',
            operator: 'In',
            values: ['m5.large', 'm5.xlarge', 'm5.2xlarge'],
          },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
        ],
      },
    },
  },
};
const pods = Array.from({ length: 6 }, (_, i) =>
  solverPod(`default/web-${i}`, 'default', {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '1Gi' } } }] },
  }),
);

function setup(shortOf?: (o: { instanceType: string }) => boolean) {
  let now = 1_000_000;
  const registered: V1Node[] = [];
  const cloud = new SimulatedCloud({
    catalog,
    clock: () => new Date(now),
    ...(shortOf ? { shortOf } : {}),
    register: (n) => {
      registered.push(n);
      return Promise.resolve();
    },
  });
  const unavailable = new UnavailableOfferings(() => now);
  const p = new Provisioner({ cloud, unavailable, now: () => now, launchTimeoutMs: 60_000 });
  const input = (nodes: V1Node[] = [], waiting = pods): SolverInput => ({
    pods: waiting,
    nodes: nodes.map((n) => existingNode(n, [])),
    pools: [poolView(pool)],
    daemonSets: [],
    catalog,
  });
  return { cloud, p, input, registered, unavailable, advance: (ms: number) => (now += ms) };
}

/** A pod of app=`app` in namespace default with a DoNotSchedule zone spread (maxSkew 1) over its app. */
const zoneSpreadPod = (id: string, app: string, cpu: string, memory: string) =>
  solverPod(id, 'default', {
    metadata: { labels: { app } },
    spec: {
      containers: [{ name: 'c', resources: { requests: { cpu, memory } } }],
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app } },
        },
      ],
    },
  });

/** The Node a kubelet registered reporting far less than its type promised: the pods cannot go there. */
function unable(registered: readonly V1Node[]): V1Node {
  const joined = registered[0];
  if (!joined) throw new Error('no node registered');
  const small = structuredClone(joined);
  small.status = { allocatable: { cpu: '100m', memory: '128Mi', pods: '110' } };
  return small;
}

describe('Provisioner', () => {
  it('launches the plan once: pending pods fill in-flight capacity before anything new is bought', async () => {
    const { p, input, cloud } = setup();
    const first = await p.reconcile(input());
    expect(first.launched.map((i) => i.instanceType)).toEqual(['m5.xlarge']);
    const again = await p.reconcile(input());
    expect(again.launched).toEqual([]);
    expect(await cloud.list()).toHaveLength(1);
  });

  it('says which planned pods wait for capacity that cannot take them yet (what keeps their gate on)', async () => {
    const { p, input, registered } = setup();
    const ids = pods.map((x) => x.id);
    const first = await p.reconcile(input());
    expect([...first.planned]).toEqual(ids);
    expect([...first.awaitingCapacity].sort()).toEqual(ids);
    // In flight still: the next round keeps them on the claim (not packed afresh), which is not there yet.
    const second = await p.reconcile(input());
    expect([...second.awaitingCapacity].sort()).toEqual(ids);
    expect(second.plan.bindings).toEqual([]);
    expect(second.targets.size).toBe(0);
    const joined = registered[0];
    if (!joined) throw new Error('no node registered');
    // Registered but not Ready, under a name of its own (as on aws): still waiting.
    const starting = structuredClone(joined);
    starting.metadata = Object.assign(starting.metadata ?? {}, { name: 'ip-10-0-0-1.ec2.internal' });
    starting.status = Object.assign(starting.status ?? {}, {
      conditions: [{ type: 'Ready', status: 'False' }],
    });
    expect([...(await p.reconcile(input([starting]))).awaitingCapacity].sort()).toEqual(ids);
    // Joined: held on it, the pods wait for nothing more, and the round names the Node for each.
    const r = await p.reconcile(input([joined]));
    expect([...r.planned]).toEqual(ids);
    expect([...r.awaitingCapacity]).toEqual([]);
    const name = joined.metadata?.name ?? '';
    expect([...r.targets].sort()).toEqual(ids.map((id) => [id, name]));
  });

  it('names the existing Node the plan put a waiting pod on (room that is there, no hold)', async () => {
    const first = setup();
    await first.p.reconcile(first.input());
    const node = first.registered[0];
    if (!node) throw new Error('no node registered');
    // Another provisioner (a new leader): no hold, the pods are planned onto the Node like any room.
    const { p, input } = setup();
    const r = await p.reconcile(input([node]));
    expect(r.launched).toEqual([]);
    expect(r.held).toBe(0);
    expect([...r.targets.values()]).toEqual(pods.map(() => node.metadata?.name));
    expect([...r.targets.keys()].sort()).toEqual(pods.map((x) => x.id).sort());
    expect(r.spread.size).toBe(0);
  });

  it('says how kube-scheduler will count the zone spread of each pod it puts on a Node that is there', async () => {
    const first = setup();
    await first.p.reconcile(first.input());
    const node = first.registered[0];
    if (!node) throw new Error('no node registered');
    const spreadPods = pods.slice(0, 2).map((x) => zoneSpreadPod(x.id, 'web', '500m', '1Gi'));
    const { p, input, advance } = setup();
    advance(1_000); // the new claim's name is not the first provisioner's
    const r = await p.reconcile(input([node], spreadPods));
    const zone = node.metadata?.labels?.['topology.kubernetes.io/zone'];
    expect(zone).toBeDefined();
    // One pod goes on the Node; the spread sends the other to a new node in another zone (no facts).
    expect([...r.targets.keys()]).toHaveLength(1);
    expect([...r.spread.keys()]).toEqual([...r.targets.keys()]);
    expect([...r.spread.values()]).toEqual([
      [{ group: expect.any(String) as string, maxSkew: 1, domain: zone, bound: 0, min: 0, self: true }],
    ]);
  });

  it('buys nothing more when the joined node still carries its start-up taints', async () => {
    const { p, input, registered } = setup();
    await p.reconcile(input());
    const joined = registered[0];
    if (!joined) throw new Error('no node registered');
    // What the API server's TaintNodesByCondition adds until the node lifecycle controller lifts it.
    const starting = structuredClone(joined);
    starting.spec = {
      providerID: joined.spec?.providerID ?? '',
      taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }],
    };
    const r = await p.reconcile(input([starting]));
    expect(r.launched).toEqual([]);
    expect(r.plan.unschedulable).toEqual([]);
  });

  it('plans again without an offering that is short of capacity', async () => {
    const { p, input, unavailable } = setup((o) => o.instanceType === 'm5.xlarge');
    const r = await p.reconcile(input());
    expect(r.launched.map((i) => i.instanceType).sort()).not.toContain('m5.xlarge');
    expect(r.launched.length).toBeGreaterThan(0);
    expect(unavailable.has('m5.xlarge', r.launched[0]?.zone ?? '', 'on-demand')).toBe(true);
  });

  it('stops counting a claim once its node joins, and terminates one that never joins', async () => {
    const { p, input, registered } = setup();
    const first = await p.reconcile(input());
    const joinedNode = registered[0];
    if (!joinedNode) throw new Error('no node registered');
    const second = await p.reconcile(input([joinedNode]));
    expect(second.joined).toEqual([first.launched[0]?.claim]);
    expect(p.pendingClaims).toEqual([]);

    const lost = setup();
    const launched = await lost.p.reconcile(lost.input());
    lost.advance(61_000);
    const later = await lost.p.reconcile({ ...lost.input(), pods: [] });
    expect(later.terminated).toEqual([launched.launched[0]?.id]);
    expect(await lost.cloud.list()).toEqual([]);
  });

  it('does not count a registered Node that is not Ready as joined; past the timeout, terminates it and deletes the Node', async () => {
    const deleted: string[] = [];
    const { input, registered, advance, cloud } = setup();
    const withDelete = new Provisioner({
      cloud,
      unavailable: new UnavailableOfferings(() => 0),
      now: () => advance(0),
      launchTimeoutMs: 60_000,
      deleteNode: (name) => {
        deleted.push(name);
        return Promise.resolve();
      },
    });
    const first = await withDelete.reconcile(input());
    const node = structuredClone(registered[0]!);
    node.status!.conditions = [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'cni' }];
    const second = await withDelete.reconcile(input([node]));
    expect(second.joined).toEqual([]);
    expect(second.launched).toEqual([]);
    // Counted once, as the Node it registered as, not again as a claim in flight.
    expect(withDelete.inFlightNodes(catalog)).toEqual([]);
    advance(61_000);
    const later = await withDelete.reconcile({ ...input([node]), pods: [] });
    expect(later.terminated).toEqual([first.launched[0]?.id]);
    expect(deleted).toEqual([node.metadata?.name]);
  });

  it('holds the pods planned onto a node that joined unable to take them: no purchase for 10 rounds, then planned afresh', async () => {
    const { p, input, registered, cloud, advance } = setup();
    await p.reconcile(input());
    const small = unable(registered);
    for (let round = 0; round < 10; round++) {
      advance(5_000);
      const r = await p.reconcile(input([small]));
      expect(r.launched, `round ${round}`).toEqual([]);
      expect(r.held).toBe(6);
      expect(r.plan.unschedulable).toEqual([]);
    }
    expect(await cloud.list()).toHaveLength(1);
    advance(HOLD_MS);
    const after = await p.reconcile(input([small]));
    expect(after.held).toBe(0);
    expect(after.launched.length).toBeGreaterThan(0);
  });

  it('holds the real pods of a fed workload once they exist (matched by workload, not by name)', async () => {
    const { p, registered, cloud, advance } = setup();
    const template = {
      metadata: { labels: { app: 'api' } },
      spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '1Gi' } } }] },
    };
    const group = { pod: solverPod('default/api-', 'default', template), from: 0, count: 4 };
    const base = { nodes: [], pools: [poolView(pool)], daemonSets: [], catalog };
    const first = await p.reconcile({ ...base, pods: [], groups: [group] });
    const small = unable(registered);
    const claim = small.metadata?.name;
    const planned = first.plan.nodes.find((n) => n.name === claim)?.pods.length ?? 0;
    expect(planned).toBeGreaterThan(0);
    // The ReplicaSet made the pods (pod-template-hash added); they wait.
    const real = Array.from({ length: 4 }, (_, i) =>
      solverPod(`default/api-7d9f-${i}`, 'default', {
        ...template,
        metadata: { labels: { app: 'api', 'pod-template-hash': '7d9f' } },
      }),
    );
    for (let round = 0; round < 10; round++) {
      advance(5_000);
      const r = await p.reconcile({ ...base, pods: real, nodes: [existingNode(small, [])] });
      expect(r.launched).toEqual([]);
      expect(r.held).toBe(planned);
    }
    expect(await cloud.list()).toHaveLength(first.launched.length);
  });

  const spread = Array.from({ length: 6 }, (_, i) =>
    zoneSpreadPod(`default/spread-${i}`, 'spread', '1500m', '4Gi'),
  );

  it('keeps zone spread whole while a node holds its pods: the other zones are not over-bought', async () => {
    const { p, registered, cloud, advance } = setup();
    const base = { pools: [poolView(pool)], daemonSets: [], catalog };
    const first = await p.reconcile({ ...base, pods: spread, nodes: [] });
    const zones = new Set(first.launched.map((i) => i.zone));
    expect(zones.size).toBe(3);
    const launches = first.launched.length;
    // One node joins unable to take its pods; the rest are still in flight.
    const small = unable(registered);
    for (let round = 0; round < 10; round++) {
      advance(5_000);
      const r = await p.reconcile({ ...base, pods: spread, nodes: [existingNode(small, [])] });
      expect(r.launched).toEqual([]);
      expect(r.plan.unschedulable).toEqual([]);
    }
    expect(await cloud.list()).toHaveLength(launches);
  });

  it('gives back a held pod its zone spread no longer allows: planned afresh in the emptied zone, not gated until the hold ends', async () => {
    const { p, registered, advance } = setup();
    const base = { pools: [poolView(pool)], daemonSets: [], catalog };
    await p.reconcile({ ...base, pods: spread, nodes: [] });
    const zoneOf = (n: V1Node) => n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '';
    const emptied = zoneOf(registered[0] as V1Node);
    // A scale-in left the workload one pod in each other zone and none in `emptied`, whose nodes
    // another workload filled; one replica waits. Holding it in zone b or c makes a skew of 2.
    const seen = new Set<string>();
    const nodes = registered.map((n, i) => {
      const e = existingNode(n, []);
      if (zoneOf(n) === emptied)
        return {
          ...e,
          pods: [
            { id: `default/db-${i}`, namespace: 'default', labels: { app: 'db' }, requests: e.allocatable },
          ],
        };
      if (seen.has(zoneOf(n))) return e;
      seen.add(zoneOf(n));
      const one = {
        id: `default/spread-bound-${i}`,
        namespace: 'default',
        labels: { app: 'spread' },
        requests: (spread[0] as SolverPod).requests,
      };
      return { ...e, pods: [one] };
    });
    expect(seen.size).toBe(2);
    advance(5_000);
    const r = await p.reconcile({ ...base, pods: [spread[5] as SolverPod], nodes });
    expect(r.held).toBe(0);
    expect(r.targets.get('default/spread-5')).toBeUndefined();
    expect(r.launched.map((i) => i.zone)).toEqual([emptied]);
  });

  it('rebuilds in-flight claims from the cloud after a restart', async () => {
    const { p, input, cloud } = setup();
    await p.reconcile(input());
    const restarted = new Provisioner({
      cloud,
      unavailable: new UnavailableOfferings(() => 0),
      now: () => 1_000_000,
    });
    expect(await restarted.recover([])).toBe(1);
    expect((await restarted.reconcile(input())).launched).toEqual([]);
  });
});

describe('Provisioner launches', () => {
  it('runs a round’s launches side by side (a bounded number at once) and reports them in the plan’s order', async () => {
    const count = LAUNCH_CONCURRENCY + 36;
    const many = Array.from({ length: count }, (_, i) =>
      solverPod(`default/big-${i}`, 'default', {
        metadata: { labels: { app: 'big' } },
        spec: { containers: [{ name: 'c', resources: { requests: { cpu: '7', memory: '1Gi' } } }] },
      }),
    );
    const cloud = new SimulatedCloud({ catalog, clock: () => new Date(1_000_000) });
    let running = 0;
    let most = 0;
    const p = new Provisioner({
      cloud,
      unavailable: new UnavailableOfferings(() => 1_000_000),
      now: () => 1_000_000,
      launch: async (node) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return cloud.create({
          claim: node.name,
          nodePool: node.nodePool,
          nodeClass: 'default',
          capacityType: node.capacityType,
          instanceTypes: [node.instanceType],
          zones: [node.zone],
          labels: node.labels,
          taints: node.taints,
        });
      },
    });
    const r = await p.reconcile({ pods: many, nodes: [], pools: [poolView(pool)], daemonSets: [], catalog });
    expect(r.launched).toHaveLength(count);
    expect(most).toBe(LAUNCH_CONCURRENCY);
    const planned = r.plan.nodes.filter((n) => !n.existing).map((n) => n.name);
    expect(r.launched.map((i) => i.claim)).toEqual(planned);
  });
});

describe('Provisioner.instanceOf (registration)', () => {
  it('knows an instance another launcher recorded on a NodeClaim (a disruption replacement), not a deleted one', () => {
    const claim = (name: string, id: string, deleting = false) =>
      ({
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodeClaim',
        metadata: {
          name,
          labels: {
            'karpenter.sh/nodepool': 'general',
            'node.kubernetes.io/instance-type': 'm5.large',
            'topology.kubernetes.io/zone': 'us-east-1a',
            'karpenter.sh/capacity-type': 'on-demand',
          },
          ...(deleting ? { deletionTimestamp: '2026-11-25T00:00:00Z' } : {}),
        },
        spec: {},
        status: { providerID: `aws:///us-east-1a/${id}` },
      }) as unknown as NodeClaim;
    const claims = [claim('replacement', 'i-0replacement'), claim('gone', 'i-0gone', true)];
    const p = new Provisioner({
      cloud: new SimulatedCloud({ catalog }),
      unavailable: new UnavailableOfferings(() => 0),
      now: () => 0,
      claims: { list: () => claims },
    });
    expect(p.instanceOf('i-0replacement')).toMatchObject({
      claim: 'replacement',
      nodePool: 'general',
      instanceType: 'm5.large',
    });
    expect(p.instanceOf('i-0gone')).toBeUndefined();
    expect(p.instanceOf('i-0unknown')).toBeUndefined();
  });
});

describe('Provisioner after a leader change', () => {
  it('plans the pods again once a claim it read back is gone (its instance died with the old leader)', async () => {
    const { p: first, input, cloud, advance } = setup();
    // The old leader launched for the pods; its NodeClaims say so (Launched, not Registered).
    const launched = (await first.reconcile(input())).launched;
    expect(launched.length).toBeGreaterThan(0);
    const claimOf = (i: (typeof launched)[number]): NodeClaim => ({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: {
        name: i.claim,
        creationTimestamp: i.launchedAt.toISOString(),
        labels: {
          'karpenter.sh/nodepool': i.nodePool,
          'node.kubernetes.io/instance-type': i.instanceType,
          'topology.kubernetes.io/zone': i.zone,
          'karpenter.sh/capacity-type': i.capacityType,
        },
      },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [],
      },
      status: { providerID: i.providerId },
    });
    let claims = launched.map(claimOf);
    let now = 1_000_000;
    const next = new Provisioner({
      cloud,
      unavailable: new UnavailableOfferings(() => now),
      now: () => now,
      claims: { list: () => claims },
    });
    expect(await next.recover([])).toBe(launched.length);
    expect((await next.reconcile(input())).launched).toEqual([]);
    // The claims are garbage-collected (no instance ever registered): within a round or two the
    // pods get capacity of their own, not the launch timeout's 15 minutes later.
    claims = [];
    now += 31_000;
    advance(31_000);
    const again = await next.reconcile(input());
    expect(again.launched.length).toBeGreaterThan(0);
    expect(again.awaitingCapacity.size).toBe(pods.length);
  });

  it('keeps a claim it just launched that the store has not shown yet', async () => {
    let now = 1_000_000;
    const cloud = new SimulatedCloud({ catalog, clock: () => new Date(now) });
    const p = new Provisioner({
      cloud,
      unavailable: new UnavailableOfferings(() => now),
      now: () => now,
      claims: { list: () => [] },
    });
    const base = { nodes: [], pools: [poolView(pool)], daemonSets: [], catalog };
    const first = await p.reconcile({ ...base, pods });
    expect(first.launched.length).toBeGreaterThan(0);
    now += 5_000;
    expect((await p.reconcile({ ...base, pods })).launched).toEqual([]);
  });
});
