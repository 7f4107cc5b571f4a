/**
 * A static NodePool scaled down (`kubectl scale nodepool --replicas`, Karpenter v1.8): the nodes past
 * its count are removed as Karpenter's static deprovisioning controller picks them — empty ones first,
 * then the least disruptive (fewest pods to move) — outside the disruption budgets, which limit
 * voluntary disruption only; the drains still wait on PDBs. Their pods move to the nodes that stay or
 * to new capacity, as a drift's do.
 */
import type { Classified, NodeInfo } from './candidates.js';
import { simulateMust } from './simulate.js';
import type { World } from './world.js';
import type { Decision } from './decision.js';

/** Empty first, then fewest pods to move, then by name (deterministic). */
function byCost(a: NodeInfo, b: NodeInfo): number {
  return a.moving.length - b.moving.length || a.name.localeCompare(b.name);
}

/** The nodes each static pool has past its count, that may go now (not blocked, not going already). */
export function surplus(c: Classified): NodeInfo[] {
  const going = new Set(c.kept.filter((k) => /already being disrupted/.test(k.reason)).map((k) => k.node));
  const out: NodeInfo[] = [];
  const pools = new Map<string, NodeInfo[]>();
  for (const n of c.managed.values())
    if (n.pool.replicas !== undefined && !going.has(n.name))
      pools.set(n.pool.name, [...(pools.get(n.pool.name) ?? []), n]);
  const free = new Set(c.candidates.filter((n) => n.heldBy === undefined).map((n) => n.name));
  for (const nodes of pools.values()) {
    const replicas = nodes[0]?.pool.replicas ?? 0;
    const extra = nodes.length - replicas;
    if (extra > 0)
      out.push(
        ...nodes
          .filter((n) => free.has(n.name))
          .sort(byCost)
          .slice(0, extra),
      );
  }
  return out;
}

export function scaleDown(w: World, c: Classified): Decision | undefined {
  const remove = surplus(c);
  if (remove.length === 0) return undefined;
  const sim = simulateMust(
    w,
    new Set(remove.map((n) => n.name)),
    remove.flatMap((n) => n.moving),
  );
  return {
    method: 'scale-down',
    remove,
    launch: sim.ok ? sim.launch : [],
    bindings: sim.ok ? sim.bindings : [],
    removedPrice: remove.reduce((s, n) => s + n.price, 0),
    launchPrice: sim.ok ? sim.price : 0,
  };
}
