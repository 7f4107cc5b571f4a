/**
 * Whether a consolidation pays, as Berth makes them: what its pods need — new capacity, and the empty
 * nodes they would keep — costs less than the nodes it removes and is not more nodes, by at least the
 * pool's minimum saving when it needs any; a multi-node one does not launch again a type it removes for
 * as much; spot-to-spot only when turned on. Pure.
 */
import { poolCatalog } from '../../scheduling/nodepool.js';
import type { PlannedNode } from '../solver/model.js';
import type { NodeInfo } from './candidates.js';
import type { World } from './world.js';
import type { MethodOptions, Filled } from './decision.js';

const MIN_SPOT_ALTERNATIVES = 15;

export const priceOf = (nodes: readonly NodeInfo[]): number => nodes.reduce((s, n) => s + n.price, 0);

/** Instance types the launch could use (its fleet's alternatives) that cost less than `than`. */
function cheaperTypes(w: World, launch: PlannedNode, than: number): number {
  const pool = w.pools.find((p) => p.name === launch.nodePool);
  const catalog = pool ? poolCatalog(pool, w.catalog) : w.catalog;
  return launch.alternatives.filter((t) => {
    const type = catalog.byName(t);
    const p = type ? catalog.price(type, launch.zone, launch.capacityType) : null;
    return p !== null && p < than;
  }).length;
}

/**
 * Karpenter's filterOutSameInstanceType, for a set: a multi-node decision that launches an instance
 * type it also removes must launch it for less than the removed one costs — else keeping that node and
 * deleting the others saves as much and moves fewer pods (single-node consolidation finds it).
 */
function relaunchesRemovedType(
  remove: readonly NodeInfo[],
  launch: readonly PlannedNode[],
): string | undefined {
  const cheapest = new Map<string, number>();
  for (const n of remove)
    cheapest.set(n.instanceType, Math.min(cheapest.get(n.instanceType) ?? Number.POSITIVE_INFINITY, n.price));
  for (const l of launch) {
    const removed = cheapest.get(l.instanceType);
    if (removed !== undefined && !(l.pricePerHour < removed))
      return `it would launch ${l.instanceType} again ($${l.pricePerHour.toFixed(4)}/h, not less than the removed one's $${removed.toFixed(4)}/h): keeping one moves fewer pods`;
  }
  return undefined;
}

/** Whether replacing `remove` by `launch` is a consolidation Berth makes: cheaper, and the spot rule. */
export function acceptable(
  w: World,
  remove: readonly NodeInfo[],
  launch: readonly PlannedNode[],
  price: number,
  o: MethodOptions & { single: boolean; filled: Filled },
): string | undefined {
  const waits = o.deleteOnly ?? o.replacing;
  if (waits !== undefined && launch.length > 0) return waits;
  const costly = notCheaper(remove, launch, price, o.filled) ?? tooLittle(remove, launch, price, o);
  if (costly !== undefined) return costly;
  const again = o.single ? undefined : relaunchesRemovedType(remove, launch);
  if (again !== undefined) return again;
  return spotRule(w, remove, launch, o);
}

/** Why what the pods need — new capacity, and empty nodes they keep — does not pay, or is more nodes. */
function notCheaper(
  remove: readonly NodeInfo[],
  launch: readonly PlannedNode[],
  price: number,
  filled: Filled,
): string | undefined {
  const before = priceOf(remove);
  if (launch.length > 0 && !(price < before))
    return `its pods need $${price.toFixed(4)}/h of new capacity, not less than its $${before.toFixed(4)}/h`;
  const kept = filled.nodes;
  if (kept.length > 0 && !(price + filled.price < before))
    return `its pods would keep empty ${kept.length === 1 ? 'node' : 'nodes'} ${kept.join(', ')} ($${filled.price.toFixed(4)}/h), which emptiness removes: not less than its $${(before - price).toFixed(4)}/h`;
  // More, smaller nodes for the same pods: kube-scheduler, not the plan, places them, and spreads them
  // over every new node first; the pods it leaves without room are bought for again.
  if (launch.length + kept.length > remove.length)
    return `its pods would need ${launch.length + kept.length} ${kept.length > 0 ? 'new or emptied' : 'new'} nodes for the ${remove.length} removed: a consolidation never adds nodes`;
  return undefined;
}

/**
 * A replacement that saves less than its pools' minimum share of what it removes (policies.yaml
 * minSavingsPercent; the largest of the removed nodes' pools). Deleting nodes outright saves all of
 * their price and always may. Karpenter consolidates for any saving (its price-improvement threshold
 * is a proposal, kubernetes-sigs/karpenter#2562 and #2883); Berth's default asks 30%, so that a step
 * down in size (about 50%) passes and a hop to another family of the same size (10–25%) does not: the
 * node type replaced again and again for a few cents an hour (#1851).
 */
function tooLittle(
  remove: readonly NodeInfo[],
  launch: readonly PlannedNode[],
  price: number,
  o: { filled: Filled; minSavings?: (pool: string) => number },
): string | undefined {
  const share = o.minSavings;
  if (share === undefined || (launch.length === 0 && o.filled.nodes.length === 0)) return undefined;
  const min = Math.max(0, ...remove.map((n) => share(n.pool.name)));
  const before = priceOf(remove);
  const saved = before - price - o.filled.price;
  if (min <= 0 || before <= 0 || saved >= min * before - 1e-9) return undefined;
  return `it saves $${saved.toFixed(4)}/h, ${pct(saved / before)} of its $${before.toFixed(4)}/h: a replacement must save ${pct(min)} (policies.yaml minSavingsPercent)`;
}

const pct = (f: number): string => `${Number((f * 100).toFixed(1))}%`;

/** Spot-to-spot: only when turned on, and (single node) with 15 cheaper types to fall back on. */
function spotRule(
  w: World,
  remove: readonly NodeInfo[],
  launch: readonly PlannedNode[],
  o: MethodOptions & { single: boolean },
): string | undefined {
  const spotToSpot =
    remove.every((n) => n.capacityType === 'spot') && launch.some((n) => n.capacityType === 'spot');
  if (!spotToSpot) return undefined;
  if (!o.spotToSpot) return 'replacing spot with spot is off (provisioner.consolidation.spotToSpot)';
  const first = launch[0];
  if (o.single && first) {
    const cheaper = cheaperTypes(w, first, priceOf(remove));
    if (cheaper < MIN_SPOT_ALTERNATIVES)
      return `spot-to-spot needs ${MIN_SPOT_ALTERNATIVES} cheaper instance types, found ${cheaper}`;
  }
  return undefined;
}
