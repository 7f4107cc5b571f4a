import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { pools } from '../../../test/support/disruption-cluster.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { poolView } from '../../scheduling/nodepool.js';
import { settlingNodes } from './settling.js';
import { pdbStates } from './pods.js';
import { keepingRoom, simulate } from './simulate.js';
import { recheck } from './validation.js';
import { NOT_PLANNED } from './waiting.js';
import type { World } from './world.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const S = 1000;
const general = pools[0]?.pool;
if (!general) throw new Error('no general pool');
const after = (consolidateAfter: string) =>
  poolView({ ...general, spec: { ...general.spec, disruption: { consolidateAfter } } });
const joined = (name: string, ago: number): V1Node => {
  const n = node(name);
  if (n.metadata) n.metadata.creationTimestamp = new Date(NOW - ago);
  return n;
};

// Karpenter v1.15 utils/disruption.IsUnderConsolidateAfter: the last pod event, else the node's
// initialization, within the pool's consolidateAfter; never when it is 0 or Never.
describe('settlingNodes: the nodes under their pool consolidateAfter', () => {
  const events: Record<string, number> = { moved: NOW - 10 * S, quiet: NOW - 40 * S };
  const o = { now: NOW, lastPodEvent: (n: string) => events[n], defaultMs: 0 };
  const nodes = [
    joined('moved', 3600 * S),
    joined('quiet', 3600 * S),
    joined('new', 5 * S),
    joined('old', 3600 * S),
  ];

  it.each([
    {
      name: '30s: pods changed 10 s ago, or joined 5 s ago with none since',
      pool: '30s',
      want: ['moved', 'new'],
    },
    { name: '0s: none (Karpenter: a zero consolidateAfter is no wait)', pool: '0s', want: [] },
    { name: 'Never: none (Karpenter: a nil duration is no wait)', pool: 'Never', want: [] },
  ])('$name', ({ pool, want }) => {
    expect([...settlingNodes(nodes, [after(pool)], o)].sort()).toEqual(want);
  });

  it("a pool that sets none waits the policies' default; a node of no known pool never", () => {
    const bare = poolView({ ...general, spec: { ...general.spec, disruption: {} } });
    expect([...settlingNodes(nodes, [bare], { ...o, defaultMs: 30 * S })].sort()).toEqual(['moved', 'new']);
    expect(settlingNodes(nodes, [], o).size).toBe(0);
  });
});

/** Node a is the candidate; b has room for its pod (unless settling: a scale-out filled it a moment ago). */
const base = (settling: ReadonlySet<string>, waiting: V1Pod[] = []): World => {
  const podsByNode = new Map([
    ['a', [pod('a-1', 'a', { cpu: '1' })]],
    ['b', [pod('b-1', 'b', { cpu: '1' })]],
  ]);
  const w: World = {
    nodes: [node('a'), node('b')],
    podsByNode,
    pools,
    daemonSets: [],
    catalog: builtinCatalog(),
    namePrefix: 'test-',
    ...(settling.size > 0 ? { settling } : {}),
  };
  return keepingRoom(w, waiting, NOT_PLANNED);
};

describe('a consolidation moves no pod onto a node under consolidateAfter', () => {
  const moving = (w: World) => w.podsByNode.get('a') ?? [];

  it('with b settled, a goes: its pod moves to b', () => {
    const w = base(new Set());
    const sim = simulate(w, new Set(['a']), moving(w), { consolidation: true });
    expect(sim).toMatchObject({ ok: true, launch: [], bindings: [{ pod: 'shop/a-1', node: 'b' }] });
  });

  it('with b settling, the pod needs new capacity', () => {
    const w = base(new Set(['b']));
    const sim = simulate(w, new Set(['a']), moving(w), { consolidation: true });
    expect(sim.ok && sim.launch.length).toBe(1);
  });

  it('drift and expiration (not a consolidation) may still move it there', () => {
    const w = base(new Set(['b']));
    expect(simulate(w, new Set(['a']), moving(w))).toMatchObject({ ok: true, launch: [] });
  });
});

const check = (w: World, consolidation: boolean) =>
  recheck(w, ['a'], pdbStates([], []), {
    forceful: false,
    mayLaunch: true,
    consolidation,
    now: new Date(NOW),
  });

// Karpenter v1.15 ConsolidationValidator.validateCandidates: the candidates are got afresh after the
// delay, and a decision whose candidate is no longer Consolidatable (a pod event moved its
// lastPodEventTime within consolidateAfter) is dropped.
describe('recheck: a consolidation whose node had a pod come or go while it was validated', () => {
  it('is dropped, naming the node and consolidateAfter', () => {
    expect(check(base(new Set(['a'])), true)).toEqual({
      ok: false,
      why: "a: a pod came to it or left it while the decision was validated; it waits its NodePool's consolidateAfter again",
    });
  });

  it('holds when only a node it does not need is settling', () => {
    expect(check(base(new Set(['x'])), true)).toMatchObject({ ok: true, launch: [] });
  });

  it('does not stop drift or expiration (not consolidations: they must happen)', () => {
    expect(check(base(new Set(['a'])), false)).toMatchObject({ ok: true, launch: [] });
  });
});

// Karpenter v1.15 EmptinessValidator: the candidates must still be empty after the delay. Berth's
// emptiness decision leaves its node untainted in the delay, as Karpenter does before it validates.
describe('recheck: an emptiness decision a pod came to while it was validated', () => {
  const empty = (settling: ReadonlySet<string>) =>
    recheck(base(settling), ['a'], pdbStates([], []), {
      forceful: false,
      mayLaunch: true,
      consolidation: false,
      empty: true,
      now: new Date(NOW),
    });

  it('is dropped: by consolidateAfter when the pool has one', () => {
    const r = empty(new Set(['a']));
    expect(r.ok ? 'held' : r.why).toMatch(/^a: a pod came to it or left it/);
  });

  it('and by its pod alone under consolidateAfter 0s (no node settles): nothing is bought for that pod', () => {
    expect(empty(new Set())).toEqual({
      ok: false,
      why: 'a: a pod came to it while the decision was validated',
    });
  });
});
