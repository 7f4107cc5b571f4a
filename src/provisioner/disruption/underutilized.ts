/**
 * Consolidation of under-used nodes: multi-node (the largest cheaper prefix, by binary search, as
 * Karpenter's), then single-node. Beyond Karpenter: a consolidation may replace N nodes by any strictly
 * cheaper set (Karpenter refuses more than one new node, kubernetes-sigs/karpenter#1442).
 */
import { simulate } from './simulate.js';
import type { Classified, NodeInfo } from './candidates.js';
import type { Pdbs } from './pods.js';
import type { World } from './world.js';
import type { Decision, MethodOptions, PrefixSearch, Seek } from './decision.js';
import { consolidates, policyOf } from './node-policy.js';
import { withinLimits } from './limits.js';
import { emptyGoing, filledBy } from './filled.js';
import { acceptable, priceOf } from './acceptable.js';
import {
  allApproved,
  BEST_MOVE_FAILS,
  canPass,
  evaluateMove,
  isBalanced,
  rejection,
  savingsRatio,
  totals,
  type ScoredMove,
} from './balanced.js';
import { narrow } from './prefix-search.js';

/**
 * Lowest disruption first: fewest pods to move, then the most expensive (most to save). Balanced
 * nodes go by savings per unit of disruption, highest first, as Karpenter v1.14 sorts them.
 */
function byDisruption(a: NodeInfo, b: NodeInfo): number {
  const balanced = Number(isBalanced(b)) - Number(isBalanced(a));
  if (balanced !== 0 || isBalanced(a))
    return balanced || savingsRatio(b) - savingsRatio(a) || a.name.localeCompare(b.name);
  return a.moving.length - b.moving.length || b.price - a.price || a.name.localeCompare(b.name);
}

const UNDERUTILIZED: ReadonlySet<string> = new Set(['WhenEmptyOrUnderutilized', 'Balanced']);

function underutilized(c: Classified): NodeInfo[] {
  return c.candidates
    .filter(
      (n) =>
        n.moving.length > 0 && n.heldBy === undefined && consolidates(n) && UNDERUTILIZED.has(policyOf(n)),
    )
    .sort(byDisruption);
}

function tryRemove(
  w: World,
  nodes: readonly NodeInfo[],
  o: MethodOptions & { going: ReadonlyMap<string, number>; c: Classified },
  method: 'multi-node' | 'single-node',
): Decision | ScoredMove | string {
  const sim = simulate(
    w,
    new Set(nodes.map((n) => n.name)),
    nodes.flatMap((n) => n.moving),
    { consolidation: true },
  );
  if (!sim.ok) return sim.why;
  const filled = filledBy(sim.bindings, o.going);
  const refused = acceptable(w, nodes, sim.launch, sim.price, {
    ...o,
    single: method === 'single-node',
    filled,
  });
  if (refused !== undefined) return refused;
  const removedPrice = priceOf(nodes);
  const savings = removedPrice - sim.price - filled.price;
  const scores = evaluateMove({ remove: nodes, savings }, totals(o.c));
  if (!allApproved(scores)) return { method, nodes, scores, approved: false };
  return {
    method,
    remove: nodes,
    launch: sim.launch,
    bindings: sim.bindings,
    removedPrice,
    launchPrice: sim.price,
    ...(filled.nodes.length > 0 ? { filled } : {}),
    ...(scores.size > 0 ? { scores } : {}),
  };
}

/**
 * The largest prefix (of at least two) whose removal is cheaper: a binary search, as Karpenter's. In
 * slices, it stops between simulations once the slice is spent and goes on in the next one.
 */
export function multiNode(w: World, c: Classified, pdbs: Pdbs, o: MethodOptions): Decision | undefined {
  const s = o.slices;
  // A search that ended in an earlier slice found nothing: a decision ends the seek at once.
  if (s?.multiDone === true) return undefined;
  const ordered = withinLimits(underutilized(c), c, pdbs, 'Underutilized', o.now).slice(
    0,
    o.maxMultiNode ?? 100,
  );
  const going = emptyGoing(c);
  const search: PrefixSearch = s?.multi ?? { lo: 2, hi: ordered.length, best: undefined };
  if (s) s.multi = search;
  const cheaper = (k: number): boolean => {
    const d = tryRemove(w, ordered.slice(0, k), { ...o, going, c }, 'multi-node');
    if (typeof d === 'string') return false;
    if (!('remove' in d)) {
      search.rejected = d;
      return false;
    }
    search.best = d;
    return true;
  };
  if (!narrow(search, cheaper, () => s?.spent() === true)) return undefined;
  if (s) s.multiDone = true;
  const best = search.best;
  if (best?.scores)
    o.onScored?.({ method: 'multi-node', nodes: best.remove, scores: best.scores, approved: true });
  else if (!best && search.rejected) o.onScored?.(search.rejected);
  return best;
}

export const singleNode: Seek = (w, c, pdbs, o, refusals) => {
  const going = emptyGoing(c);
  for (const n of underutilized(c)) {
    if (refusals.has(n.name)) continue;
    if (withinLimits([n], c, pdbs, 'Underutilized', o.now).length === 0) continue;
    // Balanced: a node whose best move (deleting it) cannot pass is not simulated at all.
    if (!canPass(n, totals(c))) {
      refusals.set(n.name, `not consolidated: ${BEST_MOVE_FAILS}`);
      continue;
    }
    if (o.slices?.spent() === true) return undefined;
    const d = tryRemove(w, [n], { ...o, going, c }, 'single-node');
    if (typeof d === 'string') {
      refusals.set(n.name, `not consolidated: ${d}`);
      continue;
    }
    if ('remove' in d) {
      if (d.scores) o.onScored?.({ method: 'single-node', nodes: [n], scores: d.scores, approved: true });
      return d;
    }
    o.onScored?.(d);
    refusals.set(n.name, `not consolidated: ${rejection(d)}`);
  }
  return undefined;
};

/** Consolidation: multi-node, then single-node; in slices, each goes on from where the last stopped. */
export const consolidationDecision: Seek = (w, c, pdbs, o, refusals) =>
  o.countsOnly === true
    ? undefined
    : (multiNode(w, c, pdbs, o) ??
      (o.slices?.stopped === true ? undefined : singleNode(w, c, pdbs, o, refusals)));
