import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { node, pdb, pod } from '../../../test/support/cluster.js';
import { loadObjects } from '../../inputs/objects.js';
import type { EventSink } from '../../kube/events.js';
import { Metrics } from '../../observability/metrics.js';
import type { PDB } from '../../policies/view.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { DISRUPTED_TAINT } from './candidates.js';
import { DisruptionController } from './controller.js';
import { CLAIM_TAG } from '../cloud/provider.js';
import type { Launcher } from './replacements.js';
import type { EvictionResult, NodeOps } from './node-ops.js';
import { DISRUPTION_ANNOTATION } from './marks.js';

const loaded = loadObjects(['deploy/nodepools/general.yaml']);
if (!loaded.ok) throw new Error('deploy/nodepools/general.yaml does not load');
const general = loaded.objects[0]?.object as unknown as NodePool;
const pools = [
  poolView({
    ...general,
    spec: { ...general.spec, disruption: { consolidateAfter: '0s', budgets: [{ nodes: '100%' }] } },
  }),
];

function withGrace(grace: string) {
  return pools.map((p) => {
    const copy = structuredClone(p.pool);
    copy.spec.template.spec.terminationGracePeriod = grace;
    return poolView(copy);
  });
}

/** A cluster in memory whose API the fake ops act on, as the API server and a kubelet would. */
function cluster(
  nodes: V1Node[],
  pods: V1Pod[],
  pdbs: PDB[] = [],
  o: {
    replace?: 'join' | 'join-unlabelled' | 'never' | 'fail';
    grace?: string;
    foreign?: string[];
    disruption?: NonNullable<NodePool['spec']['disruption']>;
    enabled?: () => boolean;
  } = {},
) {
  const state = {
    nodes: [...nodes],
    pods: [...pods],
    pdbs,
    evictions: [] as string[],
    terminated: [] as string[],
    deleted: [] as string[],
    blocked: new Set<string>(),
    /** Pods the API server has bound but the cache does not show yet. */
    late: [] as V1Pod[],
  };
  const find = (n: V1Node) => state.nodes.find((x) => x.metadata?.name === n.metadata?.name);
  const ops: NodeOps = {
    mark: (n, phase, extra = {}) => {
      const x = find(n);
      if (x) {
        x.metadata ??= {};
        x.metadata.annotations = { ...x.metadata.annotations, ...extra, [DISRUPTION_ANNOTATION]: phase };
        x.spec ??= {};
        x.spec.taints = [
          ...(x.spec.taints ?? []).filter((t) => t.key !== DISRUPTED_TAINT),
          { key: DISRUPTED_TAINT, effect: 'NoSchedule' },
        ];
      }
      return Promise.resolve();
    },
    unmark: (n) => {
      const x = find(n);
      if (x) {
        x.metadata ??= {};
        x.metadata.annotations = Object.fromEntries(
          Object.entries(x.metadata.annotations ?? {}).filter(([k]) => !k.startsWith('berth.dev/')),
        );
        x.spec ??= {};
        x.spec.taints = (x.spec.taints ?? []).filter((t) => t.key !== DISRUPTED_TAINT);
      }
      return Promise.resolve();
    },
    evict: (p): Promise<EvictionResult> => {
      const name = p.metadata?.name ?? '';
      if (state.blocked.has(name)) return Promise.resolve('blocked');
      state.evictions.push(name);
      state.pods = state.pods.filter((x) => x.metadata?.name !== name); // gone at once (grace 0)
      return Promise.resolve('evicted');
    },
    deletePod: (p) => {
      state.deleted.push(p.metadata?.name ?? '');
      state.pods = state.pods.filter((x) => x.metadata?.name !== p.metadata?.name);
      return Promise.resolve();
    },
    podsOn: (name) =>
      Promise.resolve([...state.pods, ...state.late].filter((p) => p.spec?.nodeName === name)),
    terminate: (n) => {
      state.terminated.push(n.metadata?.name ?? '');
      state.nodes = state.nodes.filter((x) => x.metadata?.name !== n.metadata?.name);
      return Promise.resolve();
    },
  };
  const events: { node: string; reason: string; message: string }[] = [];
  const sink: EventSink = {
    emit: (e) => events.push({ node: e.involved.name, reason: e.reason, message: e.message }),
  };
  let active = true;
  let now = new Date('2026-11-23T12:00:00Z');
  const launched: string[] = [];
  const cancelled: string[] = [];
  const launcher: Launcher = {
    launch: (p) => {
      launched.push(p.name);
      if (o.replace === 'fail') return Promise.reject(new Error('InsufficientInstanceCapacity'));
      if (o.replace === 'join') {
        const joined = node(p.name, { type: p.instanceType, zone: p.zone, capacity: p.capacityType });
        if (joined.metadata?.labels) joined.metadata.labels[CLAIM_TAG] = p.name;
        state.nodes.push(joined);
      }
      if (o.replace === 'join-unlabelled') {
        // A kubelet that registers under its own name, without Berth's claim label: only the
        // instance's providerID ties it to the claim.
        const joined = node(`ip-${p.name}`, { type: p.instanceType, zone: p.zone, capacity: p.capacityType });
        delete joined.metadata?.labels?.[CLAIM_TAG];
        state.nodes.push(joined);
      }
      return Promise.resolve();
    },
    cancel: (claims) => {
      cancelled.push(...claims);
      return Promise.resolve();
    },
    providerIds: (claims) =>
      Promise.resolve(
        new Map(
          o.replace === 'join-unlabelled'
            ? claims.flatMap((claim) => {
                const n = state.nodes.find((x) => x.metadata?.name === `ip-${claim}`);
                return n?.spec?.providerID ? [[claim, n.spec.providerID] as const] : [];
              })
            : [],
        ),
      ),
  };
  const metrics = new Metrics();
  const controller = new DisruptionController({
    cluster: {
      synced: () => true,
      nodes: () => state.nodes,
      pods: () => state.pods,
      pdbs: () => state.pdbs,
      pools: () =>
        o.disruption
          ? [poolView({ ...general, spec: { ...general.spec, disruption: o.disruption } })]
          : o.grace === undefined
            ? pools
            : withGrace(o.grace),
      daemonSets: () => [],
      catalog: () => builtinCatalog(),
      lastPodEvent: () => undefined,
      launched: () =>
        Promise.resolve(
          new Set(
            state.nodes
              .filter((n) => !(o.foreign ?? []).includes(n.metadata?.name ?? ''))
              .map((n) => n.spec?.providerID ?? ''),
          ),
        ),
    },
    enabled: o.enabled ?? (() => true),
    defaultConsolidateAfterMs: () => 0,
    spotToSpot: () => false,
    ops,
    events: sink,
    logger: pino({ level: 'silent' }),
    metrics,
    clock: () => now,
    sleep: () => Promise.resolve(),
    active: () => active,
    ...(o.replace ? { launcher, joinTimeoutMs: 600_000 } : {}),
  });
  return {
    state,
    controller,
    events,
    metrics,
    launched,
    cancelled,
    lose: () => (active = false),
    later: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}

describe('disruption in the cluster', () => {
  it('removes an empty node: decided, validated, drained, terminated, with Events on the Node', async () => {
    const c = cluster([node('a'), node('empty')], [pod('web', 'a')]);
    expect(await c.controller.round()).toMatchObject({
      kind: 'decided',
      method: 'emptiness',
      nodes: ['empty'],
    });
    expect(
      c.state.nodes.find((n) => n.metadata?.name === 'empty')?.metadata?.annotations?.[DISRUPTION_ANNOTATION],
    ).toBe('draining:emptiness');
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['empty'] });
    expect(c.state.terminated).toEqual(['empty']);
    expect(await c.metrics.registry.metrics()).toMatch(
      /berth_disruption_nodes_total\{method="emptiness"\} 1/,
    );
    expect(c.events.map((e) => `${e.node} ${e.reason}`)).toEqual(
      expect.arrayContaining(['empty Disrupting', 'empty Disrupted']),
    );
  });

  it('does not end a drain the cache calls done while the API server shows a pod bound since', async () => {
    const c = cluster([node('a'), node('empty')], [pod('web', 'a')]);
    expect(await c.controller.round()).toMatchObject({ kind: 'decided', nodes: ['empty'] });
    // kube-scheduler bound a pod before it saw the taint; the cache has not caught up.
    c.state.late.push(pod('late', 'empty'));
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 1 });
    expect(c.state.terminated).toEqual([]);
    expect(c.state.evictions).toEqual(['late']);
    c.state.late = [];
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['empty'] });
  });

  it('drains an under-used node through evictions when its pods fit on the others', async () => {
    const c = cluster([node('a'), node('b')], [pod('web', 'a'), pod('api', 'b')]);
    const decided = await c.controller.round();
    expect(decided).toMatchObject({ kind: 'decided' });
    const gone = (decided as { nodes: string[] }).nodes;
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 1 });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: gone });
    expect(c.state.nodes).toHaveLength(1);
  });

  it('turned off, decides nothing and undoes a decision not yet validated, but finishes a drain under way', async () => {
    let on = true;
    const c = cluster(
      [node('a'), node('b'), node('c')],
      [pod('web', 'a'), pod('api', 'b'), pod('db', 'c')],
      [],
      {
        enabled: () => on,
      },
    );
    const decided = await c.controller.round();
    expect(decided).toMatchObject({ kind: 'decided' });
    const draining = (decided as { nodes: string[] }).nodes;
    on = false;
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', nodes: draining });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: draining });
    expect(await c.controller.round()).toMatchObject({ kind: 'idle' });
    // A decision marked but not validated (e.g. by a previous leader) is unmarked once off.
    const left = c.state.nodes[0];
    if (!left?.metadata) throw new Error('no node left');
    left.metadata.annotations = { [DISRUPTION_ANNOTATION]: 'validating:single-node' };
    expect(await c.controller.round()).toMatchObject({ kind: 'aborted', why: 'disruption was turned off' });
    expect(left.metadata.annotations[DISRUPTION_ANNOTATION]).toBeUndefined();
  });

  it('keeps every node under a budget of 0 inside its schedule, with an Event that names the budget', async () => {
    const c = cluster([node('a'), node('b'), node('empty')], [pod('web', 'a'), pod('api', 'b')], [], {
      disruption: {
        consolidateAfter: '0s',
        budgets: [{ nodes: '0', schedule: '0 9 * * *', duration: '8h' }, { nodes: '100%' }],
      },
    });
    expect(await c.controller.round()).toMatchObject({ kind: 'none' });
    expect(c.state.nodes).toHaveLength(3);
    const blocked = c.events.filter((e) => e.reason === 'DisruptionBlocked');
    expect(blocked.map((e) => e.node).sort()).toEqual(['a', 'b', 'empty']);
    for (const e of blocked)
      expect(e.message).toBe(
        'not consolidated: NodePool berth-general\'s budget nodes: 0 (schedule "0 9 * * *" for 8h, open now) allows 0 of 3 nodes, 0 already disrupting or not Ready',
      );
    expect(await c.metrics.registry.metrics()).toMatch(/berth_disruption_nodes_kept\{reason="budget"\} 3/);
    // Outside the window (12:00 + 6 h = 18:00, past 09:00 + 8 h) the empty node goes.
    c.later(6 * 3_600_000);
    expect(await c.controller.round()).toMatchObject({
      kind: 'decided',
      method: 'emptiness',
      nodes: ['empty'],
    });
  });

  it('keeps a node a PDB protects, once, with an Event that names the PDB', async () => {
    const c = cluster(
      [node('a'), node('b')],
      [pod('web', 'a', { app: 'web' }), pod('big', 'b', { cpu: '3500m' })],
      [pdb('web', 'web', { minAvailable: 1 }, 0)],
    );
    const first = await c.controller.round();
    expect(first, JSON.stringify(first)).toMatchObject({ kind: 'none' });
    await c.controller.round();
    const blocked = c.events.filter((e) => e.node === 'a' && e.reason === 'DisruptionBlocked');
    expect(blocked).toHaveLength(1);
    // b's pod fits nowhere else: replacing it is not carried out in a cluster yet, and it says so.
    expect(c.events.find((e) => e.node === 'b')?.message).toMatch(/would need new capacity/);
    // b's pod fits nowhere else: replacing it is not carried out in a cluster yet, and it says so.
    expect(c.events.find((e) => e.node === 'b')?.message).toMatch(/would need new capacity/);
    expect(blocked[0]?.message).toBe(
      'PodDisruptionBudget shop/web allows 0 disruptions (minAvailable 1, 3 healthy)',
    );
  });

  it('unmarks the nodes when the decision no longer holds after the delay', async () => {
    const c = cluster(
      [node('a'), node('b')],
      [pod('web', 'a', { app: 'web' }), pod('api', 'b', { app: 'web' })],
    );
    // The PDB appears during the validation delay.
    const decided = c.controller.round();
    c.state.pdbs = [pdb('web', 'web', { minAvailable: 2 }, 0)];
    expect(await decided).toMatchObject({ kind: 'aborted' });
    expect(c.state.nodes.every((n) => n.metadata?.annotations?.[DISRUPTION_ANNOTATION] === undefined)).toBe(
      true,
    );
    expect(c.state.nodes.every((n) => (n.spec?.taints ?? []).length === 0)).toBe(true);
    expect(c.events.some((e) => e.reason === 'DisruptionAborted')).toBe(true);
  });

  it('finishes what a previous leader started: a draining node is drained, a validating one validated', async () => {
    const marked = node('b', { annotations: { [DISRUPTION_ANNOTATION]: 'draining:single-node' } });
    const c = cluster([node('a'), marked], [pod('web', 'a'), pod('api', 'b')]);
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 1 });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['b'] });
    const validating = node('b', { annotations: { [DISRUPTION_ANNOTATION]: 'validating:emptiness' } });
    const d = cluster([node('a'), validating], [pod('web', 'a')]);
    expect(await d.controller.round()).toMatchObject({ kind: 'decided', nodes: ['b'] });
  });

  it('leaves a decision under validation alone when the Lease is lost', async () => {
    const c = cluster([node('a'), node('empty')], [pod('web', 'a')]);
    c.lose();
    expect(await c.controller.round()).toMatchObject({ kind: 'aborted', why: /Lease was lost/ });
    expect(c.state.terminated).toEqual([]);
  });

  it('retries an eviction a PDB refuses (429) on the next round, counting the drain blocked by that PDB', async () => {
    const marked = node('b', { annotations: { [DISRUPTION_ANNOTATION]: 'draining:single-node' } });
    const c = cluster([node('a'), marked], [pod('web', 'a'), pod('api', 'b', { app: 'api' })]);
    c.state.pdbs = [pdb('api-pdb', 'api', { minAvailable: 1 }, 0)];
    c.state.blocked.add('api');
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', blocked: 1, evicted: 0 });
    expect(await c.metrics.registry.metrics()).toMatch(
      /^berth_drain_blocked_by_pdb_total\{pdb_namespace="shop",pdb_name="api-pdb"\} 1$/m,
    );
    c.state.pdbs = [];
    c.state.blocked.clear();
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 1 });
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated' });
  });

  it('launches a cheaper replacement first, drains only once it is Ready, then terminates the old node', async () => {
    const big = node('big', { type: 'm6i.4xlarge' });
    const c = cluster(
      [node('full'), big],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'join' },
    );
    const first = (await c.controller.round()) as { kind: string; method: string; nodes: string[] };
    expect(first.kind).toBe('launching');
    expect(first.nodes).toContain('big');
    expect(c.launched.length).toBeGreaterThan(0);
    const marked = c.state.nodes.find((n) => n.metadata?.name === 'big');
    expect(marked?.metadata?.annotations?.[DISRUPTION_ANNOTATION]).toBe(`validating:${first.method}`);
    expect(marked?.metadata?.annotations?.['berth.dev/replacements']).toBe(c.launched.join(','));
    // The replacements joined: the delay, the check, then the drain.
    const sorted = (x: unknown) => [...(x as { nodes: string[] }).nodes].sort();
    const decided = await c.controller.round();
    expect(decided.kind).toBe('decided');
    expect(sorted(decided)).toEqual([...first.nodes].sort());
    expect(await c.controller.round()).toMatchObject({ kind: 'draining' });
    const done = await c.controller.round();
    expect(done.kind).toBe('terminated');
    expect(sorted(done)).toEqual([...first.nodes].sort());
    expect(c.state.nodes.map((n) => n.metadata?.name).sort()).toEqual(
      [...c.launched, ...['full', 'big'].filter((n) => !first.nodes.includes(n))].sort(),
    );
    expect(
      c.state.pods.every((p) => c.launched.includes(p.spec?.nodeName ?? '') || p.spec?.nodeName === 'full'),
    ).toBe(true);
  });

  it('knows a replacement that joined without its claim label by its instance providerID', async () => {
    const c = cluster(
      [node('full'), node('big', { type: 'm6i.4xlarge' })],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'join-unlabelled' },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'launching' });
    expect(c.state.nodes.some((n) => n.metadata?.name?.startsWith('ip-') === true)).toBe(true);
    expect(await c.controller.round()).toMatchObject({ kind: 'decided' });
  });

  it('abandons a decision whose replacement never becomes Ready: unmarks the node and terminates the claim', async () => {
    const big = node('big', { type: 'm6i.4xlarge' });
    const c = cluster(
      [node('full'), big],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'never' },
    );
    expect(await c.controller.round()).toMatchObject({ kind: 'launching' });
    expect(await c.controller.round()).toMatchObject({ kind: 'launching', claims: c.launched });
    c.later(600_001);
    expect(await c.controller.round()).toMatchObject({
      kind: 'aborted',
      why: /did not join and become Ready in time/,
    });
    expect(c.cancelled).toEqual(c.launched);
    expect(
      c.state.nodes.find((n) => n.metadata?.name === 'big')?.metadata?.annotations?.[DISRUPTION_ANNOTATION],
    ).toBeUndefined();
    expect(c.state.terminated).toEqual([]);
  });

  it('ends a drain a do-not-disrupt pod holds once the NodePool terminationGracePeriod runs out', async () => {
    const held = pod('held', 'b', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
    const marked = node('b', {
      annotations: {
        [DISRUPTION_ANNOTATION]: 'draining:expiration',
        'berth.dev/disruption-since': '2026-11-23T11:00:00Z',
      },
    });
    const c = cluster([node('a'), marked], [pod('web', 'a'), held], [], { grace: '2h' });
    expect(await c.controller.round()).toMatchObject({ kind: 'draining', evicted: 0 });
    expect(c.state.deleted).toEqual([]);
    c.later(3_600_000); // 13:00: two hours since the decision
    expect(await c.controller.round()).toMatchObject({ kind: 'draining' });
    expect(c.state.deleted).toEqual(['held']);
    expect(await c.controller.round()).toMatchObject({ kind: 'terminated', nodes: ['b'] });
  });

  it('never disrupts a node Berth did not launch, though its pods may move onto it', async () => {
    // Empty and cheaper to lose than `a`, but not Berth's: `a` goes, onto it.
    const c = cluster([node('a'), node('theirs', { type: 'm6i.2xlarge' })], [pod('web', 'a')], [], {
      foreign: ['theirs'],
    });
    const outcome = (await c.controller.round()) as { kind: string; nodes?: string[] };
    expect(outcome.kind).toBe('decided');
    expect(outcome.nodes).toEqual(['a']);
    await c.controller.round();
    await c.controller.round();
    expect(c.state.terminated).toEqual(['a']);
  });

  it('terminates what it launched when a replacement fails to launch, and unmarks the node', async () => {
    const big = node('big', { type: 'm6i.4xlarge' });
    const c = cluster(
      [node('full'), big],
      [pod('busy', 'full', { cpu: '3500m' }), pod('small', 'big', { cpu: '1' })],
      [],
      { replace: 'fail' },
    );
    expect(await c.controller.round()).toMatchObject({
      kind: 'aborted',
      why: /a replacement did not launch/,
    });
    expect(c.cancelled).toEqual(expect.arrayContaining(c.launched));
    expect(c.state.nodes.every((n) => n.metadata?.annotations?.[DISRUPTION_ANNOTATION] === undefined)).toBe(
      true,
    );
  });
});
