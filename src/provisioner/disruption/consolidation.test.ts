import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pdb, pod } from '../../../test/support/cluster.js';
import { loadObjects } from '../../inputs/objects.js';
import { selectorMatches } from '../../kube/selector.js';
import { disruptionsAllowed } from '../../policies/disruption.js';
import type { PDB } from '../../policies/view.js';
import { poolView, poolViewWithClass, type NodePool, type PoolView } from '../../scheduling/nodepool.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { requestsOf } from '../input/pods.js';
import { seededRandom } from '../../util/seeded.js';
import { allowance, readBudgets } from './budgets.js';
import { planConsolidation, type ConsolidationPlan } from './consolidation.js';
import { clusterObjects } from './objects.js';
import type { KubeObject } from '../../kube/objects.js';

const catalog = builtinCatalog();
const loaded = loadObjects(['deploy/nodepools/general.yaml']);
if (!loaded.ok) throw new Error('deploy/nodepools/general.yaml does not load');
const general = loaded.objects[0]?.object as unknown as NodePool;

function pools(disruption: NonNullable<NodePool['spec']['disruption']> = { budgets: [{ nodes: '100%' }] }) {
  return [
    poolView({
      ...general,
      spec: { ...general.spec, disruption: { ...general.spec.disruption, ...disruption } },
    }),
  ];
}

function plan(
  nodes: V1Node[],
  pods: V1Pod[],
  o: { pdbs?: PDB[]; disruption?: NonNullable<NodePool['spec']['disruption']>; spotToSpot?: boolean } = {},
): ConsolidationPlan {
  return planConsolidation({
    nodes,
    pods,
    pdbs: o.pdbs ?? [],
    pools: pools(o.disruption),
    daemonSets: [],
    catalog,
    now: new Date('2026-11-23T12:00:00Z'),
    spotToSpot: o.spotToSpot ?? false,
  });
}

/** The plan over these pools (a static one, a class's), at the tables' moment. */
const planOn = (pools: PoolView[], nodes: V1Node[], pods: V1Pod[]): ConsolidationPlan =>
  planConsolidation({
    nodes,
    pods,
    pdbs: [],
    pools,
    daemonSets: [],
    catalog,
    now: new Date('2026-11-23T12:00:00Z'),
    spotToSpot: false,
  });

const keptReason = (p: ConsolidationPlan, name: string) => p.kept.find((k) => k.node === name)?.reason;

describe('consolidation, offline', () => {
  it('deletes empty nodes first, then moves pods off under-used ones, and says $/h before and after', () => {
    const p = plan(
      [node('a'), node('b'), node('c'), node('empty')],
      [pod('web', 'a'), pod('api', 'b'), pod('db', 'c', { cpu: '2' })],
    );
    expect(p.decisions[0]).toMatchObject({ method: 'emptiness', remove: ['empty'], launch: [] });
    expect(p.decisions.length).toBeGreaterThan(1);
    expect(p.before.pricePerHour).toBeCloseTo(0.768, 4);
    expect(p.after.pricePerHour).toBeLessThan(p.before.pricePerHour / 2);
    const pods = p.after.nodes.flatMap((n) => n.pods).sort();
    expect(pods).toEqual(['shop/api', 'shop/db', 'shop/web']);
    for (const d of p.decisions) expect(d.pricePerHourAfter).toBeLessThan(d.pricePerHourBefore);
  });

  // Karpenter v1.8 static NodePools: their count is kept, no node of theirs is consolidated
  // (pkg/controllers/static; the disruption methods skip static pools).
  it('never consolidates the nodes of a static pool (spec.replicas), and says why they stay', () => {
    const staticPool = poolView({ ...general, spec: { ...general.spec, replicas: 3 } });
    const p = planOn([staticPool], [node('a'), node('b'), node('empty')], [pod('web', 'a'), pod('api', 'b')]);
    expect(p.decisions).toEqual([]);
    expect(keptReason(p, 'empty')).toBe(
      'NodePool berth-general is static (replicas: 3): its nodes are kept, never consolidated',
    );
  });

  // Karpenter v1.14.1 pkg/controllers/static/deprovisioning: a static pool past its count loses the
  // surplus, empty nodes first, then those with the fewest pods (getDeprovisioningCandidates).
  it('scales a static pool down to its replicas: empty nodes first, then the fewest pods to move', () => {
    const staticPool = poolView({ ...general, spec: { ...general.spec, replicas: 1 } });
    const pods = [pod('web', 'a'), pod('api', 'a'), pod('db', 'b')];
    const p = planOn([staticPool], [node('a'), node('b'), node('empty')], pods);
    expect(p.decisions[0]).toMatchObject({ method: 'scale-down', remove: ['empty', 'b'] });
    expect(p.decisions).toHaveLength(1);
    expect(p.after.nodes.map((n) => n.name)).toEqual(['a']);
    expect(p.after.nodes[0]?.pods.sort()).toEqual(['shop/api', 'shop/db', 'shop/web']);
  });

  it('replaces several nodes at once, with more than one new node when that is cheaper (beyond Karpenter #1442)', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n, { type: 'm6i.4xlarge' }));
    const pods = nodes.map((n, i) => pod(`w${i}`, n.metadata?.name ?? '', { cpu: '3', memory: '4Gi' }));
    const p = plan(nodes, pods);
    const first = p.decisions[0];
    expect(first?.method).toBe('multi-node');
    expect(first?.remove.length).toBeGreaterThanOrEqual(2);
    expect(p.after.pricePerHour).toBeLessThan(p.before.pricePerHour);
  });

  it.each([
    [
      'a pod with do-not-disrupt',
      [pod('keep', 'a', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } })],
      [],
      /pod shop\/keep has karpenter.sh\/do-not-disrupt: "true"/,
    ],
    [
      'a pod with no controller',
      [pod('bare', 'a', { owner: false })],
      [],
      /pod shop\/bare has no controller/,
    ],
    [
      'a PDB that allows 0 now',
      [pod('web', 'a')],
      [pdb('web', 'web', { minAvailable: 3 }, 0)],
      /PodDisruptionBudget shop\/web allows 0 disruptions \(minAvailable 3, 3 healthy\)/,
    ],
    [
      'two PDBs over one pod',
      [pod('web', 'a')],
      [pdb('web', 'web', { maxUnavailable: 1 }, 1), pdb('web-too', 'web', { maxUnavailable: 1 }, 1)],
      /selected by 2 PodDisruptionBudgets \(shop\/web, shop\/web-too\)/,
    ],
  ])('keeps the node of %s, and says so', (_what, pods, pdbs, reason) => {
    const p = plan([node('a'), node('b')], [...pods, pod('other', 'b')], { pdbs });
    expect(p.decisions.flatMap((d) => d.remove)).not.toContain('a');
    expect(keptReason(p, 'a')).toMatch(reason);
  });

  it('keeps a node annotated do-not-disrupt, even empty', () => {
    const p = plan([node('a', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } })], []);
    expect(p.decisions).toEqual([]);
    expect(keptReason(p, 'a')).toBe('node has karpenter.sh/do-not-disrupt: "true"');
  });

  it('stops everything under a budget of 0 inside its schedule, and names the budget', () => {
    const p = plan([node('a'), node('b')], [pod('web', 'a')], {
      disruption: { budgets: [{ nodes: '0', schedule: '0 9 * * *', duration: '8h' }] },
    });
    expect(p.decisions).toEqual([]);
    expect(keptReason(p, 'b')).toMatch(
      /budget nodes: 0 \(schedule "0 9 \* \* \*" for 8h, open now\) allows 0 of 2 nodes/,
    );
  });

  it('honours consolidationPolicy WhenEmpty and consolidateAfter Never', () => {
    const whenEmpty = plan([node('a'), node('b'), node('e')], [pod('x', 'a'), pod('y', 'b')], {
      disruption: { consolidationPolicy: 'WhenEmpty', budgets: [{ nodes: '100%' }] },
    });
    expect(whenEmpty.decisions.map((d) => d.method)).toEqual(['emptiness']);
    expect(keptReason(whenEmpty, 'a')).toMatch(/consolidates only empty nodes/);
    const never = plan([node('a'), node('e')], [pod('x', 'a')], {
      disruption: { consolidateAfter: 'Never' },
    });
    expect(never.decisions).toEqual([]);
    expect(keptReason(never, 'e')).toBe('NodePool berth-general has consolidateAfter: Never');
  });

  it('replaces spot only with cheaper on-demand or not at all, unless spot-to-spot is on', () => {
    const nodes = [node('s', { type: 'm6i.4xlarge', capacity: 'spot' })];
    const pods = [pod('w', 's', { cpu: '1' })];
    const off = plan(nodes, pods);
    expect(off.decisions).toEqual([]);
    expect(keptReason(off, 's')).toMatch(/replacing spot with spot is off/);
    const on = plan(nodes, pods, { spotToSpot: true });
    expect(on.decisions[0]?.launch[0]?.capacityType).toBe('spot');
  });

  it('replaces a drifted node (its labels no longer meet the NodePool) even at the same price', () => {
    const old = node('gen5', { type: 'm5.xlarge' });
    const p = plan([old, node('b')], [pod('w', 'gen5', { cpu: '3' }), pod('x', 'b', { cpu: '3' })]);
    expect(p.decisions[0]).toMatchObject({ method: 'drift', remove: ['gen5'] });
  });

  it('replaces a node launched from an older template of its NodePool (its template hash differs)', () => {
    const stale = node('stale');
    if (stale.metadata?.labels) stale.metadata.labels['berth.dev/nodepool-hash'] = '0123456789abcdef';
    const current = node('current');
    const fresh = pools()[0];
    if (current.metadata?.labels && fresh)
      current.metadata.labels['berth.dev/nodepool-hash'] = fresh.labels['berth.dev/nodepool-hash'] ?? '';
    const p = plan([stale, current], [pod('w', 'stale', { cpu: '3' }), pod('x', 'current', { cpu: '3' })]);
    expect(p.decisions[0]).toMatchObject({ method: 'drift', remove: ['stale'] });
    // Its replacement carries the current hash: it never drifts in turn, nor does `current`.
    expect(p.decisions.filter((d) => d.method === 'drift').flatMap((d) => d.remove)).toEqual(['stale']);
  });

  it('replaces a node launched from an older EC2NodeClass (its class hash differs), once the class is known', () => {
    const cls = { metadata: { name: 'default' }, spec: { role: 'R', userData: 'echo v2' } };
    const view = poolViewWithClass(
      { ...general, spec: { ...general.spec, disruption: { budgets: [{ nodes: '100%' }] } } },
      cls,
    );
    const nodes = [node('stale'), node('current')];
    for (const n of nodes)
      if (n.metadata?.labels) {
        n.metadata.labels['berth.dev/nodepool-hash'] = view.labels['berth.dev/nodepool-hash'] ?? '';
        n.metadata.labels['berth.dev/nodeclass-hash'] = view.labels['berth.dev/nodeclass-hash'] ?? '';
      }
    const [stale] = nodes;
    if (stale?.metadata?.labels) stale.metadata.labels['berth.dev/nodeclass-hash'] = '0123456789abcdef';
    const p = planConsolidation({
      nodes,
      pods: [pod('w', 'stale', { cpu: '3' }), pod('x', 'current', { cpu: '3' })],
      pdbs: [],
      pools: [view],
      daemonSets: [],
      catalog,
      now: new Date('2026-11-23T12:00:00Z'),
      spotToSpot: false,
    });
    expect(p.decisions[0]).toMatchObject({ method: 'drift', remove: ['stale'] });
    expect(p.decisions.filter((d) => d.method === 'drift').flatMap((d) => d.remove)).toEqual(['stale']);
  });

  it('replaces a node booted from an image its EC2NodeClass no longer resolves to (a new al2023@latest)', () => {
    const cls = {
      metadata: { name: 'default' },
      spec: { role: 'R' },
      status: {
        amis: [
          { id: 'ami-new', requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] },
        ],
      },
    };
    const view = poolViewWithClass(
      { ...general, spec: { ...general.spec, disruption: { budgets: [{ nodes: '100%' }] } } },
      cls,
    );
    const nodes = [node('old-image'), node('new-image'), node('unlabelled')];
    for (const n of nodes)
      if (n.metadata?.labels) {
        n.metadata.labels['berth.dev/nodepool-hash'] = view.labels['berth.dev/nodepool-hash'] ?? '';
        n.metadata.labels['berth.dev/nodeclass-hash'] = view.labels['berth.dev/nodeclass-hash'] ?? '';
      }
    nodes[0]!.metadata!.labels!['berth.dev/image'] = 'ami-old';
    nodes[1]!.metadata!.labels!['berth.dev/image'] = 'ami-new';
    const p = planConsolidation({
      nodes,
      pods: nodes.map((n) => pod(`w-${n.metadata?.name ?? ''}`, n.metadata?.name ?? '', { cpu: '3' })),
      pdbs: [],
      pools: [view],
      daemonSets: [],
      catalog,
      now: new Date('2026-11-23T12:00:00Z'),
      spotToSpot: false,
    });
    expect(p.decisions.filter((d) => d.method === 'drift').flatMap((d) => d.remove)).toEqual(['old-image']);
  });

  it('deletes one of two nodes of a type rather than replace both by one more of it (Karpenter filterOutSameInstanceType)', () => {
    const spec = general.spec.template.spec;
    const m5Only = poolView({
      ...general,
      spec: {
        ...general.spec,
        disruption: { budgets: [{ nodes: '100%' }] },
        template: {
          ...general.spec.template,
          spec: {
            ...spec,
            requirements: [
              { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
            ],
          },
        },
      },
    });
    const p = planConsolidation({
      nodes: [node('a', { type: 'm5.large' }), node('b', { type: 'm5.large' })],
      pods: [pod('small', 'a', { cpu: '200m', memory: '256Mi' }), pod('big', 'b', { cpu: '1500m' })],
      pdbs: [],
      pools: [m5Only],
      daemonSets: [],
      catalog,
      now: new Date('2026-11-23T12:00:00Z'),
      spotToSpot: false,
    });
    expect(p.decisions).toHaveLength(1);
    expect(p.decisions[0]).toMatchObject({ method: 'single-node', launch: [] });
    expect(p.decisions[0]?.remove).toHaveLength(1);
    expect(p.after.nodes).toHaveLength(1);
  });

  it('never takes several nodes at once whose pods ask a PDB for more evictions than it allows', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n));
    const pods = nodes.map((n, i) => pod(`web-${i}`, n.metadata?.name ?? '', { app: 'web' }));
    const p = plan(nodes, pods, { pdbs: [pdb('web', 'web', { maxUnavailable: 1 }, 1)] });
    for (const d of p.decisions.filter((x) => x.remove.length > 1)) {
      const moved = d.moves.filter((m) => m.pod.startsWith('shop/web-'));
      expect(moved.length).toBeLessThanOrEqual(1);
    }
    // One node at a time instead: each drain evicts its web pods one PDB allowance (429) at a time.
    expect(p.decisions.map((d) => d.method)).toContain('single-node');
  });
});

const TYPES = ['m6i.large', 'm6i.xlarge', 'm6i.2xlarge', 'c6i.xlarge', 'r6i.xlarge'];

function randomCluster(seed: number) {
  const r = seededRandom(seed);
  const nodes = Array.from({ length: 4 + Math.floor(r() * 8) }, (_, i) =>
    node(`n${i}`, {
      type: TYPES[Math.floor(r() * TYPES.length)] ?? 'm6i.large',
      zone: ['us-east-1a', 'us-east-1b'][i % 2] ?? '',
    }),
  );
  const pods: V1Pod[] = [];
  const apps = ['web', 'api', 'worker'];
  for (const n of nodes) {
    const alloc = Number.parseInt(n.status?.allocatable?.cpu ?? '0', 10);
    let used = 0;
    for (let k = 0; k < 4 && r() < 0.7; k++) {
      const cpu = 100 * (1 + Math.floor(r() * 8));
      if (used + cpu > alloc) break;
      used += cpu;
      pods.push(
        pod(`p-${n.metadata?.name ?? ''}-${k}`, n.metadata?.name ?? '', {
          app: apps[Math.floor(r() * 3)] ?? 'web',
          cpu: `${cpu}m`,
          memory: '256Mi',
        }),
      );
    }
  }
  const pdbs = [pdb('web', 'web', { maxUnavailable: 1 }), pdb('api', 'api', { minAvailable: '50%' })];
  const budgets = [{ nodes: `${10 + Math.floor(r() * 60)}%` }];
  return { nodes, pods, pdbs, budgets };
}

describe('consolidation, property over random clusters', () => {
  it('never evicts past a PDB, never exceeds a budget, never adds nodes, and every pod of a removed node fits on what stays', () => {
    let decided = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const c = randomCluster(seed);
      const p = plan(c.nodes, c.pods, { pdbs: c.pdbs, disruption: { budgets: c.budgets } });
      // Replay the decisions on the cluster as it was.
      const where = new Map(c.pods.map((x) => [`shop/${x.metadata?.name ?? ''}`, x.spec?.nodeName ?? '']));
      const live = new Set(c.nodes.map((n) => n.metadata?.name ?? ''));
      const byId = new Map(c.pods.map((x) => [`shop/${x.metadata?.name ?? ''}`, x]));
      for (const d of p.decisions) {
        decided += 1;
        const read = readBudgets({
          ...general,
          spec: { ...general.spec, disruption: { budgets: c.budgets } },
        });
        const budget = allowance(
          read,
          d.method === 'emptiness' ? 'Empty' : d.method === 'drift' ? 'Drifted' : 'Underutilized',
          { total: live.size, disrupting: 0 },
          new Date('2026-11-23T12:00:00Z'),
        );
        expect(d.remove.length, `seed ${seed}`).toBeLessThanOrEqual(budget.allowed);
        const evicted = [...where].filter(([, n]) => d.remove.includes(n)).map(([id]) => id);
        for (const b of c.pdbs) {
          const matching = [...byId.values()].filter((x) =>
            selectorMatches(b.spec?.selector ?? {}, x.metadata?.labels ?? {}),
          );
          const allowed = disruptionsAllowed(b.spec ?? {}, matching.length).allowed;
          const asked = evicted.filter((id) =>
            selectorMatches(b.spec?.selector ?? {}, byId.get(id)?.metadata?.labels ?? {}),
          );
          // Several nodes at once never ask a PDB for more than it allows; one node's drain waits on 429s.
          if (d.remove.length > 1)
            expect(asked.length, `seed ${seed}: PDB ${b.metadata?.name ?? ''}`).toBeLessThanOrEqual(allowed);
          else if (asked.length > 0)
            expect(allowed, `seed ${seed}: PDB ${b.metadata?.name ?? ''}`).toBeGreaterThan(0);
        }
        // A consolidation never adds nodes: kube-scheduler spreads moved pods over every new node first.
        if (d.method === 'multi-node' || d.method === 'single-node')
          expect(d.launch.length, `seed ${seed}`).toBeLessThanOrEqual(d.remove.length);
        expect(new Set(d.moves.map((m) => m.pod)), `seed ${seed}`).toEqual(new Set(evicted));
        for (const n of d.remove) live.delete(n);
        for (const l of d.launch) live.add(l.name);
        for (const m of d.moves) {
          expect(live.has(m.node), `seed ${seed}: ${m.pod} moved to ${m.node}`).toBe(true);
          where.set(m.pod, m.node);
        }
      }
      // Every pod still runs, once, on a node whose allocatable holds what is bound to it.
      const after = p.after.nodes;
      expect(after.flatMap((n) => n.pods).sort(), `seed ${seed}`).toEqual([...byId.keys()].sort());
      for (const n of after) {
        const type = catalog.byName(n.instanceType);
        const cpu = n.pods.reduce((s, id) => s + requestsOf(byId.get(id)?.spec ?? { containers: [] }).cpu, 0);
        expect(cpu, `seed ${seed}: ${n.name}`).toBeLessThanOrEqual(type?.allocatable.cpuMillis ?? 0);
      }
    }
    expect(decided).toBeGreaterThan(20);
  });
});

describe('expiration (forceful, as in Karpenter)', () => {
  const aged = (name: string, created: string) => {
    const n = node(name);
    if (n.metadata) n.metadata.creationTimestamp = new Date(created);
    return n;
  };
  it('replaces a node past expireAfter (720h by default) whatever keeps it, and ignores the budget', () => {
    const old = aged('old', '2026-10-01T00:00:00Z');
    const pods = [
      pod('held', 'old', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }),
      pod('x', 'young'),
    ];
    const p = plan([old, aged('young', '2026-11-20T00:00:00Z')], pods, {
      disruption: { budgets: [{ nodes: '0' }] },
    });
    expect(p.decisions[0]).toMatchObject({ method: 'expiration', remove: ['old'] });
    expect(p.decisions.filter((d) => d.method !== 'expiration')).toEqual([]);
  });
  // aws/karpenter-provider-aws v1.14.1 pkg/controllers/capacityreservation/expiration: the claims of a
  // capacity block in its last 40 minutes (state expiring) are deleted, whatever keeps them.
  it('removes a node of an expiring capacity block as an expiration, and keeps one of an active block', () => {
    const status = (state: string) => ({
      capacityReservations: [
        {
          id: 'cr-block',
          instanceType: 'm6i.xlarge',
          availabilityZone: 'us-east-1a',
          reservationType: 'capacity-block',
          state,
        },
      ],
    });
    const inBlock = (name: string): V1Node => {
      const n = aged(name, '2026-11-23T11:00:00Z');
      if (n.metadata?.labels) n.metadata.labels['karpenter.k8s.aws/capacity-reservation-id'] = 'cr-block';
      return n;
    };
    const held = pod('train', 'gpu-a', { cpu: '3', annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
    const run = (state: string) =>
      planOn(
        [poolViewWithClass(general, { metadata: { name: 'default' }, status: status(state) })],
        [inBlock('gpu-a')],
        [held],
      );
    expect(run('expiring').decisions[0]).toMatchObject({ method: 'expiration', remove: ['gpu-a'] });
    expect(run('active').decisions).toEqual([]);
  });

  it('never expires a node of a pool with expireAfter: Never, nor one with no creation time', () => {
    const neverPool = {
      ...general,
      spec: {
        ...general.spec,
        template: { ...general.spec.template, spec: { ...general.spec.template.spec, expireAfter: 'Never' } },
      },
    };
    const p = planConsolidation({
      nodes: [aged('old', '2020-01-01T00:00:00Z')],
      pods: [pod('x', 'old', { cpu: '3' })],
      pdbs: [],
      pools: [poolView(neverPool)],
      daemonSets: [],
      catalog,
      now: new Date('2026-11-23T12:00:00Z'),
      spotToSpot: false,
    });
    expect(p.decisions.map((d) => d.method)).not.toContain('expiration');
    expect(
      plan([node('fresh')], [pod('x', 'fresh', { cpu: '3' })]).decisions.map((d) => d.method),
    ).not.toContain('expiration');
  });
});

describe('offline, the pods the cluster shows Pending keep their room', () => {
  const pending = (name: string, cpu: string): V1Pod => {
    const p = pod(name, '', { cpu });
    if (p.spec) delete p.spec.nodeName;
    p.status = { phase: 'Pending' };
    return p;
  };

  it('an empty node the only room for a Pending pod is on stays; without the pod it goes', () => {
    const nodes = () => [node('a'), node('empty')];
    const with_ = plan(nodes(), [pod('big', 'a', { cpu: '3500m' }), pending('late', '1')]);
    expect(with_.decisions.flatMap((d) => d.remove)).not.toContain('empty');
    const without = plan(nodes(), [pod('big', 'a', { cpu: '3500m' })]);
    expect(without.decisions[0]?.remove).toEqual(['empty']);
  });

  it('a Pod manifest with no status is not in the cluster: it keeps no room', () => {
    const manifest = pod('late', '', { cpu: '1' });
    if (manifest.spec) delete manifest.spec.nodeName;
    delete manifest.status;
    const asObjects = (xs: object[]) => xs as KubeObject[];
    const objects = clusterObjects(asObjects([node('a'), pod('big', 'a', { cpu: '3500m' }), manifest]));
    expect(objects.pods.map((p) => p.metadata?.name)).toEqual(['big']);
    const listed = clusterObjects(asObjects([pending('late', '1')]));
    expect(listed.pods.map((p) => p.metadata?.name)).toEqual(['late']);
  });
});
