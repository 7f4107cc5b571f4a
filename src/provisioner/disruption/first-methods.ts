/**
 * The methods that look at each node once, before any consolidation: expiration (forceful), then
 * emptiness and drift, in Karpenter's order; a static pool's scale-down before them all.
 */
import { simulate, simulateMust } from './simulate.js';
import type { Classified, NodeInfo } from './candidates.js';
import type { Pdbs } from './pods.js';
import type { World } from './world.js';
import type { Decision, MethodOptions } from './decision.js';
import { consolidates, drifted } from './node-policy.js';
import { withinLimits } from './limits.js';
import { priceOf } from './acceptable.js';
import { scaleDown } from './scale-down.js';
import { expiresAt } from './expiry.js';
import { longestPrefix } from './prefix-search.js';

/**
 * Expiration, forceful as in Karpenter: the oldest expired node goes whatever blocks it and whatever
 * the budgets say, its replacement launched first (at any price). Its drain still waits on PDBs and
 * do-not-disrupt pods, until the pool's terminationGracePeriod (if set) runs out.
 */
export function expiration(w: World, c: Classified, o: MethodOptions): Decision | undefined {
  const gone = new Set(
    c.kept.filter((k) => /not Ready|already being disrupted/.test(k.reason)).map((k) => k.node),
  );
  const expired = [...c.managed.values()]
    .filter((n) => !gone.has(n.name))
    .map((n) => ({ n, at: expiresAt(n) }))
    .filter((x): x is { n: NodeInfo; at: number } => x.at !== undefined && x.at <= o.now.getTime())
    .sort((a, b) => a.at - b.at);
  const oldest = expired[0]?.n;
  if (!oldest) return undefined;
  const sim = simulateMust(w, new Set([oldest.name]), oldest.moving);
  const launch = sim.ok ? sim.launch : [];
  const bindings = sim.ok ? sim.bindings : [];
  return {
    method: 'expiration',
    remove: [oldest],
    launch,
    bindings,
    removedPrice: oldest.price,
    launchPrice: sim.ok ? sim.price : 0,
  };
}

/**
 * Every empty candidate within the budgets. Beside decisions under way whose pods are still to move,
 * only as many as leave those pods their room (the longest such prefix: the simulation is the judge).
 */
export function emptiness(w: World, c: Classified, pdbs: Pdbs, o: MethodOptions): Decision | undefined {
  // A node pods on their way are to go to is not empty: their room is kept (waiting.ts).
  const reserved = w.reserved?.();
  const empty = c.candidates.filter(
    (n) => n.moving.length === 0 && consolidates(n) && (reserved?.get(n.name)?.length ?? 0) === 0,
  );
  let remove = withinLimits(empty, c, pdbs, 'Empty', o.now);
  if (remove.length > 0 && (w.inflight?.pods.length ?? 0) > 0) {
    const fits = (k: number) => simulate(w, new Set(remove.slice(0, k).map((n) => n.name)), []).ok;
    remove = remove.slice(0, longestPrefix(remove.length, 1, fits));
  }
  if (remove.length === 0) return undefined;
  return {
    method: 'emptiness',
    remove,
    launch: [],
    bindings: [],
    removedPrice: priceOf(remove),
    launchPrice: 0,
  };
}

export function drift(w: World, c: Classified, pdbs: Pdbs, o: MethodOptions): Decision | undefined {
  const oldest = [...c.candidates.filter(drifted)].sort((a, b) =>
    String(a.node.metadata?.creationTimestamp ?? '').localeCompare(
      String(b.node.metadata?.creationTimestamp ?? ''),
    ),
  );
  // Drift must happen: beside other decisions whose pods need the room, it launches for its own.
  for (const n of withinLimits(oldest, c, pdbs, 'Drifted', o.now)) {
    const sim = simulateMust(w, new Set([n.name]), n.moving);
    if (!sim.ok || (o.deleteOnly !== undefined && sim.launch.length > 0)) continue;
    return {
      method: 'drift',
      remove: [n],
      launch: sim.launch,
      bindings: sim.bindings,
      removedPrice: n.price,
      launchPrice: sim.price,
    };
  }
  return undefined;
}

/**
 * What a round decides before any consolidation: expiration (forceful), then emptiness and drift, in
 * Karpenter's order. None of them is searched in slices: they look at each node once.
 */
export function firstDecision(w: World, c: Classified, pdbs: Pdbs, o: MethodOptions): Decision | undefined {
  if (o.countsOnly === true) return scaleDown(w, c);
  return scaleDown(w, c) ?? expiration(w, c, o) ?? emptiness(w, c, pdbs, o) ?? drift(w, c, pdbs, o);
}
