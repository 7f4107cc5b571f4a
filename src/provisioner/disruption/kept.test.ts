import { describe, expect, it } from 'vitest';
import { node } from '../../../test/support/cluster.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { classify } from './candidates.js';
import { categoryOf, settled } from './kept.js';
import { pdbStates } from './pods.js';

const pool = (consolidateAfter?: string): NodePool => ({
  metadata: { name: 'berth-general' },
  spec: { template: { spec: {} }, ...(consolidateAfter ? { disruption: { consolidateAfter } } : {}) },
});

function candidates(consolidateAfter?: string) {
  return classify([node('a'), node('b')], new Map(), [poolView(pool(consolidateAfter))], pdbStates([], []), {
    catalog: builtinCatalog(),
    now: new Date(),
  });
}

describe('consolidateAfter', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const lastPodEvent = (n: string) => (n === 'a' ? now - 20_000 : undefined);
  it('keeps a node whose pods changed within the wait, and says how long ago', () => {
    const c = settled(candidates('1m'), { now, lastPodEvent, defaultMs: 0 });
    expect(c.candidates.map((n) => n.name)).toEqual(['b']);
    expect(c.kept).toEqual([
      { node: 'a', reason: 'its pods changed 20s ago; NodePool berth-general waits 60s (consolidateAfter)' },
    ]);
  });
  it('uses policies.yaml consolidateAfterSeconds for pools that set none, and 0s lets every node go', () => {
    expect(settled(candidates(), { now, lastPodEvent, defaultMs: 30_000 }).kept).toHaveLength(1);
    expect(settled(candidates('0s'), { now, lastPodEvent, defaultMs: 30_000 }).kept).toEqual([]);
  });
});

describe('the metric label of a kept reason', () => {
  it.each([
    ['pod shop/x has karpenter.sh/do-not-disrupt: "true"', 'do-not-disrupt'],
    ['PodDisruptionBudget shop/web allows 0 disruptions (minAvailable 3, 3 healthy)', 'pdb'],
    ['pod shop/x has no controller: evicting it would delete it for good', 'no-controller'],
    ["not consolidated: NodePool berth-general's budget nodes: 0 allows 0 of 5 nodes", 'budget'],
    ['its pods changed 20s ago; NodePool berth-general waits 60s (consolidateAfter)', 'consolidate-after'],
    ['node is not Ready', 'not-ready'],
    ['not consolidated: its pods need $0.1/h of new capacity, not less than its $0.1/h', 'not-cheaper'],
    [
      'not consolidated: it saves $0.0672/h, 25% of its $0.2688/h: a replacement must save 30% (policies.yaml minSavingsPercent)',
      'min-savings',
    ],
    [
      'not consolidated: pod shop/web would wait for node fresh: it is still starting, and a consolidation counts only on nodes that are up',
      'node-starting',
    ],
  ])('%s → %s', (reason, label) => {
    expect(categoryOf(reason)).toBe(label);
  });
});
