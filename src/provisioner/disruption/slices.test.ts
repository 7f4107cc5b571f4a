import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { loadObjects } from '../../inputs/objects.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { classify } from './candidates.js';
import { nextDecision } from './methods.js';
import { pdbStates } from './pods.js';
import { NOT_REACHED, searchInSlices } from './slices.js';
import type { World } from './world.js';
import { firstDecision } from './first-methods.js';
import { consolidationDecision } from './underutilized.js';

const catalog = builtinCatalog();
const loaded = loadObjects(['deploy/nodepools/general.yaml']);
if (!loaded.ok) throw new Error('deploy/nodepools/general.yaml does not load');
const general = loaded.objects[0]?.object as unknown as NodePool;
const pools = [
  poolView({ ...general, spec: { ...general.spec, disruption: { budgets: [{ nodes: '100%' }] } } }),
];
const now = new Date('2026-11-23T12:00:00Z');

/** Under-used nodes (m6i.xlarge) whose pods fit on fewer: multi-node, then single-node, decide. */
function setup(nodes: V1Node[], pods: V1Pod[]) {
  const podsByNode = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName ?? '';
    podsByNode.set(n, [...(podsByNode.get(n) ?? []), p]);
  }
  const w: World = { nodes, podsByNode, pools, daemonSets: [], catalog, namePrefix: 'test-' };
  const pdbs = pdbStates([], pods);
  const c = classify(nodes, podsByNode, pools, pdbs, { catalog, now });
  return { w, c, pdbs, o: { now, spotToSpot: false, deleteOnly: 'no launcher' } };
}

/** Six nodes, each with one 500m pod: multi-node's binary search takes several simulations. */
function sixQuiet() {
  const nodes = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => node(n));
  return setup(
    nodes,
    nodes.map((n) => pod(`${n.metadata?.name ?? ''}-pod`, n.metadata?.name ?? '', { cpu: '500m' })),
  );
}

/** A clock that moves 1 ms each time it is read: with sliceMs 0, every slice runs one simulation. */
function ticking() {
  let t = 0;
  return () => ++t;
}

describe('searchInSlices: a seek that lets the event loop run between simulations', () => {
  // Three nodes whose pods all fit on one: multi-node removes two (a binary search of several steps).
  const nodes = () => [node('a'), node('b'), node('c')];
  const pods = () => [
    pod('web', 'a', { cpu: '1' }),
    pod('api', 'b', { cpu: '1' }),
    pod('db', 'c', { cpu: '1' }),
  ];

  it('finds the decision the search in one go finds, one simulation per slice', async () => {
    const s = setup(nodes(), pods());
    const whole = nextDecision(s.w, s.c, s.pdbs, s.o, new Map());
    expect(whole?.method).toBe('multi-node');
    const yields: number[] = [];
    const clock = ticking();
    const found = await searchInSlices(s.w, s.c, s.pdbs, s.o, {
      carried: [],
      monotonic: () => {
        const t = clock();
        yields.push(t);
        return t;
      },
      sliceMs: 0,
      seekMs: 1_000_000,
    });
    expect(found.decision?.method).toBe(whole?.method);
    expect(found.decision?.remove.map((n) => n.name)).toEqual(whole?.remove.map((n) => n.name));
    expect(found.carried).toEqual([]);
    // More than one slice ran (each begin and each check reads the clock).
    expect(yields.length).toBeGreaterThan(4);
  });

  it('stops after seekMs: the candidates not reached stay, for now, and the next seek goes on', async () => {
    // Single-node only (one candidate each time): nodes whose pods fit nowhere else are refused.
    const full = (name: string) => pod(`${name}-pod`, name, { cpu: '3500m' });
    const s = setup([node('x'), node('y'), node('z')], [full('x'), full('y'), full('z')]);
    const first = await searchInSlices(s.w, s.c, s.pdbs, s.o, {
      carried: [],
      monotonic: ticking(),
      sliceMs: 0,
      seekMs: 0,
    });
    expect(first.decision).toBeUndefined();
    const reasons = [...first.refusals.values()];
    expect(reasons).toContain(NOT_REACHED);
    expect(first.carried.length).toBeLessThan(3);
    // Seeks in a row reach every node: each goes on with those the last did not reach.
    let carried = first.carried;
    for (let i = 0; i < 5 && carried.length > 0; i++) {
      const next = await searchInSlices(s.w, s.c, s.pdbs, s.o, {
        carried,
        monotonic: ticking(),
        sliceMs: 0,
        seekMs: 0,
      });
      carried = next.carried;
      if (![...next.refusals.values()].includes(NOT_REACHED)) break;
    }
    expect(carried).toEqual([]);
  });
});

describe('searchInSlices asks expiration, emptiness and drift once per seek', () => {
  /** The methods, counted. */
  function counted() {
    const calls = { first: 0, consolidation: 0 };
    return {
      calls,
      methods: {
        first: (...a: Parameters<typeof firstDecision>) => {
          calls.first++;
          return firstDecision(...a);
        },
        consolidation: (...a: Parameters<typeof consolidationDecision>) => {
          calls.consolidation++;
          return consolidationDecision(...a);
        },
      },
    };
  }

  /** One seek to its end, one simulation per slice, its methods counted. */
  async function seekCounted(s: ReturnType<typeof setup>) {
    const { calls, methods } = counted();
    const found = await searchInSlices(s.w, s.c, s.pdbs, s.o, {
      carried: [],
      monotonic: ticking(),
      sliceMs: 0,
      seekMs: 1_000_000,
      methods,
    });
    return { found, calls };
  }

  it('however many slices consolidation takes, and finds what one search in one go finds', async () => {
    const s = sixQuiet();
    const whole = nextDecision(s.w, s.c, s.pdbs, s.o, new Map());
    const { found, calls } = await seekCounted(s);
    expect(found.decision?.remove.map((n) => n.name)).toEqual(whole?.remove.map((n) => n.name));
    expect(calls.consolidation).toBeGreaterThan(2);
    expect(calls.first).toBe(1);
  });

  it('and a decision of theirs ends the seek before any consolidation', async () => {
    // An empty node beside a busy one: emptiness removes it.
    const s = setup([node('busy'), node('idle')], [pod('web', 'busy', { cpu: '1' })]);
    const { found, calls } = await seekCounted(s);
    expect(found.decision?.method).toBe('emptiness');
    expect(found.decision?.remove.map((n) => n.name)).toEqual(['idle']);
    expect(calls).toEqual({ first: 1, consolidation: 0 });
  });
});

describe('searchInSlices out of time in multi-node', () => {
  it('takes the largest cheaper prefix found so far, as Karpenter at its timeout', async () => {
    const s = sixQuiet();
    const whole = nextDecision(s.w, s.c, s.pdbs, s.o, new Map());
    // One slice of one simulation, then out of time: the binary search is not over.
    let t = 0;
    const found = await searchInSlices(s.w, s.c, s.pdbs, s.o, {
      carried: [],
      monotonic: () => {
        t += 1;
        return t;
      },
      sliceMs: 0,
      seekMs: 3,
    });
    expect(found.decision?.method).toBe('multi-node');
    const taken = found.decision?.remove.length ?? 0;
    expect(taken).toBeGreaterThanOrEqual(2);
    expect(taken).toBeLessThanOrEqual(whole?.remove.length ?? 0);
  });
});
