import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { pools } from '../../../test/support/disruption-cluster.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import type { PlannedNode } from '../solver/model.js';
import { acceptable } from './acceptable.js';
import { classify, type NodeInfo } from './candidates.js';
import { NOTHING_FILLED } from './filled.js';
import { settled } from './kept.js';
import { pdbStates } from './pods.js';
import type { World } from './world.js';

const catalog = builtinCatalog();
const NOW = Date.parse('2026-11-29T12:00:00Z');

function infos(...specs: { name: string; type: string; pods?: V1Pod[] }[]): NodeInfo[] {
  const nodes = specs.map((s) => node(s.name, { type: s.type }));
  const byNode = new Map(specs.map((s) => [s.name, s.pods ?? [pod(`${s.name}-p`, s.name)]]));
  const c = classify(nodes, byNode, pools, pdbStates([], [...byNode.values()].flat()), {
    catalog,
    now: new Date(NOW),
  });
  return c.candidates;
}

const launch = (type: string, price: number): PlannedNode => ({
  name: `new-${type}`,
  nodePool: 'berth-general',
  instanceType: type,
  zone: 'us-east-1a',
  capacityType: 'on-demand',
  pricePerHour: price,
  existing: false,
  pods: [],
  labels: {},
  taints: [],
  alternatives: [type],
});

const world = { pools, catalog } as unknown as World;
const options = { now: new Date(NOW), spotToSpot: false, filled: NOTHING_FILLED };

// Karpenter v1.15 disruption/consolidation.go: a replacement of the same instance type is only taken
// for a cheaper offering (filterOutSameInstanceType), and a single node's replacement must cost less.
describe('no churn in place: never the same type at the same price', () => {
  it('a single node is not replaced by its own type at its own price', () => {
    const [n] = infos({ name: 'a', type: 'm5.large' });
    const price = n?.price ?? 0;
    expect(
      acceptable(world, [n as NodeInfo], [launch('m5.large', price)], price, { ...options, single: true }),
    ).toBe(`its pods need $${price.toFixed(4)}/h of new capacity, not less than its $${price.toFixed(4)}/h`);
  });

  it('a multi-node consolidation does not launch again a type it removes for as much', () => {
    const removed = infos({ name: 'a', type: 'm5.large' }, { name: 'b', type: 'm5.xlarge' });
    const price = removed[0]?.price ?? 0;
    expect(
      acceptable(world, removed, [launch('m5.large', price)], price, { ...options, single: false }),
    ).toMatch(/^it would launch m5\.large again .*keeping one moves fewer pods$/);
  });
});

// Karpenter consolidates for any saving; a threshold is only proposed (kubernetes-sigs/karpenter#2562
// price improvement factor, #2883). Berth asks a share of the removed price of moves that need capacity
// (policies.yaml minSavingsPercent, default 30): deletions save all of it and always may.
describe("a replacement saves at least its pool's minimum share", () => {
  const m5xl = infos({ name: 'a', type: 'm5.xlarge' });
  const removed = m5xl[0]?.price ?? 0;
  const at = (share: number, filled = NOTHING_FILLED) => ({
    ...options,
    filled,
    single: true,
    minSavings: (pool: string) => (pool === 'berth-general' ? share : 1),
  });
  it.each([
    ['a step down in size (50%) passes 30%', 0.3, removed / 2, undefined],
    [
      'a family hop saving 10% does not pass 30%',
      0.3,
      removed * 0.9,
      /saves \$0\.0192\/h, 10% of its \$0\.1920\/h: a replacement must save 30%/,
    ],
    ['0% is any saving (Karpenter)', 0, removed * 0.99, undefined],
    ['exactly the share passes', 0.25, removed * 0.75, undefined],
  ])('%s', (_, share, price, want) => {
    const r = acceptable(world, m5xl, [launch('c5.xlarge', price)], price, at(share));
    if (want === undefined) expect(r).toBeUndefined();
    else expect(r).toMatch(want);
  });

  it('deleting a node outright saves all of its price: never held by the share', () => {
    expect(acceptable(world, m5xl, [], 0, at(1))).toBeUndefined();
  });

  it('pods kept on an empty node count as capacity they need', () => {
    const filled = { nodes: ['empty'], price: removed * 0.8 };
    expect(acceptable(world, m5xl, [], 0, at(0.3, filled))).toMatch(/saves \$0\.0384\/h, 20% of its/);
  });

  it('without a setting (tests, plans of old callers) any saving passes', () => {
    expect(
      acceptable(world, m5xl, [launch('c5.xlarge', removed * 0.95)], removed * 0.95, {
        ...options,
        single: true,
      }),
    ).toBeUndefined();
  });
});

// Karpenter counts consolidateAfter from lastPodEventTime alone: at its default 0s a node a
// consolidation has just filled is a candidate again at once (kubernetes-sigs/karpenter#2705). Berth
// also waits for the pods that came to it to be Ready.
describe('a node whose pods came and are not Ready yet is not disrupted again', () => {
  const arrived = (secondsAgo: number, ready: boolean): V1Pod => {
    const p = pod('moved', 'a');
    p.status = {
      phase: ready ? 'Running' : 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'True',
          lastTransitionTime: new Date(NOW - secondsAgo * 1000),
        },
        { type: 'Ready', status: ready ? 'True' : 'False' },
      ],
    };
    return p;
  };
  const settle = (p: V1Pod) => {
    const c = classify([node('a')], new Map([['a', [p]]]), pools, pdbStates([], [p]), {
      catalog,
      now: new Date(NOW),
    });
    return settled(c, { now: NOW, lastPodEvent: () => NOW - 3_600_000, defaultMs: 0 });
  };

  it.each([
    { name: 'came 20s ago, not Ready: kept', p: arrived(20, false), candidate: false },
    { name: 'came 20s ago, Ready: a candidate (consolidateAfter 0s)', p: arrived(20, true), candidate: true },
    { name: 'not Ready for 11 minutes: no longer holds the node', p: arrived(660, false), candidate: true },
  ])('$name', ({ p, candidate }) => {
    const c = settle(p);
    expect(c.candidates.length === 1).toBe(candidate);
    if (!candidate)
      expect(c.kept[0]?.reason).toBe(
        'pod shop/moved came to it 20s ago and is not Ready yet: its pods settle before it is disrupted again (consolidateAfter counts from the last pod moved in, once it is Ready)',
      );
  });
});
