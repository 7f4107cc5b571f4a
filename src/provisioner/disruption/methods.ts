/**
 * The disruption methods, in Karpenter's current order — emptiness, drift, multi-node, then
 * single-node consolidation — each finding at most one decision per round. Beyond Karpenter: a
 * consolidation may replace N nodes by any strictly cheaper set (Karpenter refuses more than one new
 * node, kubernetes-sigs/karpenter#1442). Pods on their way keep their room (waiting.ts), and one
 * that fits nowhere blocks nothing (#457).
 */
import { IMAGE_LABEL, NODECLASS_HASH_LABEL, TEMPLATE_HASH_LABEL } from '../../scheduling/nodepool.js';
import type { V1Pod } from '@kubernetes/client-node';
import type { PlannedNode } from '../solver/model.js';
import { allows } from '../../scheduling/requirements.js';
import { allowance, readBudgets, type DisruptionReason } from './budgets.js';
import type { Classified, NodeInfo } from './candidates.js';
import { parseGoDuration } from '../../util/go-duration.js';
import { isReady, type Pdbs, type PdbState } from './pods.js';
import { simulate, simulateMust, type World } from './simulate.js';
import { emptyGoing, filledBy, type Filled } from './filled.js';
import { acceptable, priceOf } from './acceptable.js';
import { scaleDown } from './scale-down.js';
import { expiresAt } from './expiry.js';
import type { PrefixSearch, SeekSlices } from './slices.js';
import {
  allApproved,
  BEST_MOVE_FAILS,
  canPass,
  evaluateMove,
  isBalanced,
  rejection,
  savingsRatio,
  totals,
  type Score,
  type ScoredMove,
} from './balanced.js';
import { longestPrefix, narrow } from './prefix-search.js';

export type Method = 'scale-down' | 'expiration' | 'emptiness' | 'drift' | 'multi-node' | 'single-node';

export interface Decision {
  readonly method: Method;
  readonly remove: readonly NodeInfo[];
  readonly launch: readonly PlannedNode[];
  readonly bindings: readonly { pod: string; node: string }[];
  /** USD/h of the nodes removed and of those launched. */
  readonly removedPrice: number;
  readonly launchPrice: number;
  /** Empty nodes its pods land on, which emptiness would have removed (their price is a cost). */
  readonly filled?: Filled;
  /** A consolidation's score in each Balanced NodePool it removes nodes of (all approved). */
  readonly scores?: ReadonlyMap<string, Score>;
}

export interface MethodOptions {
  readonly now: Date;
  /** Spot-to-spot replacement (off by default, as in Karpenter); it needs 15 cheaper types. */
  readonly spotToSpot: boolean;
  /** Multi-node consolidation considers this many candidates at most (Karpenter: 100). */
  readonly maxMultiNode?: number;
  /** Only decisions that launch nothing, and why (said of each node a replacement would have taken). */
  readonly deleteOnly?: string;
  /** Consolidations that launch wait, and why (drift and expiration, which must happen, do not). */
  readonly replacing?: string;
  /** Only static NodePools past their count (disruption is off, the counts are kept). */
  readonly countsOnly?: boolean;
  /** In a cluster, the searches stop between simulations once the slice is spent (slices.ts). */
  readonly slices?: SeekSlices;
  /** Each Balanced move scored (single-node ones, and a multi-node search's result), for metrics. */
  readonly onScored?: (m: ScoredMove) => void;
}

/** Why a cluster without a launcher makes only decisions that launch nothing. */
export const NO_LAUNCHER =
  'its pods would need new capacity, and in a cluster Berth so far removes only nodes whose pods fit on the others';

/** Why each candidate single-node consolidation could not take (for `kept`); those are skipped. */
export type Refusals = Map<string, string>;

export const policyOf = (n: NodeInfo) =>
  n.pool.pool.spec.disruption?.consolidationPolicy ?? 'WhenEmptyOrUnderutilized';
/** A static pool (spec.replicas, Karpenter v1.8) is never consolidated: its count is kept as set. */
export const consolidates = (n: NodeInfo) =>
  n.pool.replicas === undefined &&
  parseGoDuration(n.pool.pool.spec.disruption?.consolidateAfter) !== Number.POSITIVE_INFINITY;

/**
 * The candidates, in order, that one decision may take together: each pool within its budget for
 * `reason`, and no PDB asked for more evictions across the nodes than it allows now. A node alone is
 * always eligible (each of its pods' PDBs allows one now): its drain evicts them one 429 at a time.
 */
export function withinLimits(
  ordered: readonly NodeInfo[],
  c: Classified,
  pdbs: Pdbs,
  reason: DisruptionReason,
  now: Date,
): NodeInfo[] {
  const left = new Map<string, number>();
  const evictions = new Map<PdbState, number>();
  const out: NodeInfo[] = [];
  for (const n of ordered) {
    const pool = n.pool.name;
    if (!left.has(pool))
      left.set(
        pool,
        allowance(readBudgets(n.pool.pool), reason, c.counts.get(pool) ?? { total: 0, disrupting: 0 }, now)
          .allowed,
      );
    if ((left.get(pool) ?? 0) < 1) continue;
    const asks = pdbAsks(n.moving, pdbs);
    if (out.length > 0 && [...asks].some(([pdb, k]) => (evictions.get(pdb) ?? 0) + k > pdb.allowed)) continue;
    for (const [pdb, k] of asks) evictions.set(pdb, (evictions.get(pdb) ?? 0) + k);
    left.set(pool, (left.get(pool) ?? 0) - 1);
    out.push(n);
  }
  return out;
}

/** Evictions a set of pods asks of each PDB (unready pods under AlwaysAllow ask nothing). */
function pdbAsks(pods: readonly V1Pod[], pdbs: Pdbs): Map<PdbState, number> {
  const out = new Map<PdbState, number>();
  for (const pod of pods)
    for (const pdb of pdbs.over(pod))
      if (!(pdb.alwaysAllow && !isReady(pod))) out.set(pdb, (out.get(pdb) ?? 0) + 1);
  return out;
}

export { expiresAt } from './expiry.js';

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

/**
 * Why a node drifted, if it did: its labels no longer meet its NodePool's requirements (a requirement
 * changed since launch, or the template it was launched from did: its `berth.dev/nodepool-hash` label,
 * which the pool's requirements pin to the current template's hash); or it booted an image its
 * EC2NodeClass no longer resolves to (a new `al2023@latest`, a changed selector).
 */
export function driftOf(n: Pick<NodeInfo, 'node' | 'pool'>): string | undefined {
  const labels = n.node.metadata?.labels ?? {};
  const image = labels[IMAGE_LABEL];
  if (image !== undefined && n.pool.images !== undefined && !n.pool.images.has(image))
    return `AMIDrift: image ${image} is no longer one its EC2NodeClass resolves to`;
  for (const r of n.pool.requirements.values()) {
    const v = labels[r.key];
    if (v !== undefined && !allows(r, v))
      return r.key === TEMPLATE_HASH_LABEL
        ? `NodePoolDrifted: NodePool ${n.pool.name}'s template changed since launch`
        : r.key === NODECLASS_HASH_LABEL
          ? `NodeClassDrifted: its EC2NodeClass changed since launch`
          : `RequirementsDrifted: ${r.key}=${v} no longer meets NodePool ${n.pool.name}'s requirements`;
  }
  return undefined;
}

export const drifted = (n: NodeInfo): boolean => driftOf(n) !== undefined;

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
    .filter((n) => n.moving.length > 0 && consolidates(n) && UNDERUTILIZED.has(policyOf(n)))
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

/**
 * What a round decides before any consolidation: expiration (forceful), then emptiness and drift, in
 * Karpenter's order. None of them is searched in slices: they look at each node once.
 */
export function firstDecision(w: World, c: Classified, pdbs: Pdbs, o: MethodOptions): Decision | undefined {
  if (o.countsOnly === true) return scaleDown(w, c);
  return scaleDown(w, c) ?? expiration(w, c, o) ?? emptiness(w, c, pdbs, o) ?? drift(w, c, pdbs, o);
}

/** A method that may also refuse candidates (and say why, in `refusals`), as single-node does. */
export type Seek = (
  w: World,
  c: Classified,
  pdbs: Pdbs,
  o: MethodOptions,
  refusals: Refusals,
) => Decision | undefined;

/** Consolidation: multi-node, then single-node; in slices, each goes on from where the last stopped. */
export const consolidationDecision: Seek = (w, c, pdbs, o, refusals) =>
  o.countsOnly === true
    ? undefined
    : (multiNode(w, c, pdbs, o) ??
      (o.slices?.stopped === true ? undefined : singleNode(w, c, pdbs, o, refusals)));

/**
 * The one decision a round makes, methods in order: expiration (forceful), then Karpenter's current
 * order — emptiness, drift, multi-node, single-node. The offline plan asks this; the cluster's
 * controller asks the same two halves, in slices (slices.ts).
 */
export const nextDecision: Seek = (w, c, pdbs, o, refusals) =>
  firstDecision(w, c, pdbs, o) ?? consolidationDecision(w, c, pdbs, o, refusals);
