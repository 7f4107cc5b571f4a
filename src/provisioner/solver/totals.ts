/**
 * A plan's price totals: the new nodes' instances and their costs beside them (volumes, the per-node
 * cost), apart, so that `plan`, `cost` and the metrics show both; whole = the sum.
 */
import type { PlannedNode } from './model.js';

const cents5 = (x: number): number => Math.round(x * 1e5) / 1e5;

export function priceTotals(fresh: readonly PlannedNode[]): {
  pricePerHour: number;
  nodeCostsPerHour: number;
} {
  let instances = 0;
  let nodeCosts = 0;
  for (const n of fresh) {
    instances += n.pricePerHour;
    nodeCosts += n.nodeCostPerHour ?? 0;
  }
  return { pricePerHour: cents5(instances), nodeCostsPerHour: cents5(nodeCosts) };
}

/** What a plan's new nodes cost in all (USD/h). */
export function wholePerHour(totals: { pricePerHour: number; nodeCostsPerHour: number }): number {
  return cents5(totals.pricePerHour + totals.nodeCostsPerHour);
}
