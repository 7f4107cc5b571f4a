/**
 * Empty nodes are emptiness's to remove — now, or once their NodePool's consolidateAfter has passed
 * since their pods left — so they are not free room for a consolidation: the pods it moves onto one
 * keep that node, and its price is part of what the consolidation costs (one node kept, as one
 * launched). Without this, a scale-in that empties some nodes while others still hold a pod moves
 * those pods onto the nodes just emptied, whatever they cost: *self anti-affinity*'s 900m pods went
 * from t4g.medium onto empty r6g.xlarge, which were then replaced one by one. Pure.
 */
import type { Classified, Kept } from './candidates.js';
import { categoryOf } from './kept.js';
import { parseGoDuration } from '../../util/go-duration.js';
import type { Filled } from './decision.js';

export const NOTHING_FILLED: Filled = { nodes: [], price: 0 };

/**
 * The empty nodes emptiness removes, with their USD/h: those it may take now (candidates), and those
 * it waits on for consolidateAfter alone. Not one kept for good (do-not-disrupt, a replacement that
 * awaits its pods, not Ready) nor one whose pool never consolidates.
 */
export function emptyGoing(c: Classified): ReadonlyMap<string, number> {
  const waits = (k: Kept) => categoryOf(k.reason) === 'consolidate-after';
  const held = new Set(c.kept.filter((k) => !waits(k)).map((k) => k.node));
  const eligible = new Set([...c.candidates.map((n) => n.name), ...c.kept.filter(waits).map((k) => k.node)]);
  const out = new Map<string, number>();
  for (const n of c.managed.values())
    if (
      n.moving.length === 0 &&
      eligible.has(n.name) &&
      !held.has(n.name) &&
      parseGoDuration(n.pool.pool.spec.disruption?.consolidateAfter) !== Number.POSITIVE_INFINITY
    )
      out.set(n.name, n.price);
  return out;
}

/** The going-empty nodes a simulation's bindings put pods on. */
export function filledBy(
  bindings: readonly { readonly node: string }[],
  going: ReadonlyMap<string, number>,
): Filled {
  if (going.size === 0) return NOTHING_FILLED;
  const nodes = [...new Set(bindings.map((b) => b.node))].filter((n) => going.has(n)).sort();
  return { nodes, price: nodes.reduce((s, n) => s + (going.get(n) ?? 0), 0) };
}
