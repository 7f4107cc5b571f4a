/**
 * `consolidationPolicy: Balanced` (Karpenter v1.14, designs/balanced-consolidation.md;
 * pkg/controllers/disruption/balanced.go): a consolidation move is scored as the share of its
 * NodePool's cost it saves against the share of the pool's disruption cost it causes, and approved
 * when that ratio is at least 1/k (k = 2). A pod's disruption cost is Karpenter's EvictionCost (1,
 * plus pod-deletion-cost / 2^27, plus priority / 2^25, clamped to [-10, 10]; negatives count 0 here);
 * a node's is 1 plus its pods'. Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Classified, NodeInfo } from './candidates.js';

/** Balanced's k: a move passes when its score is at least 1/k (v1.BalancedK). */
export const BALANCED_K = 2;
/** What draining any node costs, pods aside (cordon, drain, API calls): PerNodeBaseDisruptionCost. */
export const PER_NODE_DISRUPTION_COST = 1;
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** Karpenter's EvictionCost of one pod (pkg/utils/disruption), in [-10, 10]; 1 with nothing set. */
export function evictionCost(pod: V1Pod): number {
  let cost = 1;
  const raw = pod.metadata?.annotations?.[DELETION_COST];
  // strconv.ParseFloat: a value it cannot read is logged and ignored.
  const deletion = raw === undefined || raw.trim() === '' ? Number.NaN : Number(raw);
  if (Number.isFinite(deletion)) cost += deletion / 2 ** 27;
  const priority = pod.spec?.priority;
  if (priority !== undefined) cost += priority / 2 ** 25;
  return Math.min(10, Math.max(-10, cost));
}

/** A node's disruption cost: 1, plus each pod's eviction cost counted from 0 up. */
export function nodeDisruptionCost(pods: readonly V1Pod[]): number {
  let cost = PER_NODE_DISRUPTION_COST;
  for (const p of pods) cost += Math.max(0, evictionCost(p));
  return cost;
}

/** A consolidation move scored under Balanced: counted in the metrics whether approved or not. */
export interface ScoredMove {
  readonly method: 'multi-node' | 'single-node';
  readonly nodes: readonly NodeInfo[];
  readonly scores: ReadonlyMap<string, Score>;
  readonly approved: boolean;
}

export interface PoolTotals {
  /** USD/h of every node of the pool, candidates or not. */
  readonly cost: number;
  /** The disruption cost of every node of the pool. */
  readonly disruption: number;
}

/** Each pool's totals, over all its nodes (candidates and those kept alike: both are denominators). */
export function poolTotals(nodes: Iterable<NodeInfo>): Map<string, PoolTotals> {
  const out = new Map<string, { cost: number; disruption: number }>();
  for (const n of nodes) {
    const t = out.get(n.pool.name) ?? { cost: 0, disruption: 0 };
    t.cost += n.price;
    t.disruption += nodeDisruptionCost(n.moving);
    out.set(n.pool.name, t);
  }
  return out;
}

export interface Score {
  readonly savingsFraction: number;
  readonly disruptionFraction: number;
  readonly k: number;
  /** savings share / disruption share; 0 for no savings. */
  readonly score: number;
  readonly threshold: number;
  readonly approved: boolean;
}

function scored(savingsFraction: number, disruptionFraction: number, k: number): Score {
  const score =
    savingsFraction <= 0
      ? 0
      : disruptionFraction === 0
        ? Number.POSITIVE_INFINITY
        : savingsFraction / disruptionFraction;
  const threshold = 1 / k;
  return { savingsFraction, disruptionFraction, k, score, threshold, approved: score >= threshold };
}

/** ScoreMove: with no totals to normalise against, the move scores 0 (rejected). */
export function scoreMove(
  savings: number,
  disruption: number,
  totals: PoolTotals | undefined,
  k = BALANCED_K,
): Score {
  if (!totals || totals.cost <= 0 || totals.disruption <= 0) return scored(0, 0, k);
  return scored(savings / totals.cost, disruption / totals.disruption, k);
}

/** The Events' words: `score 0.42 < threshold 0.50 (k: 2, savings 4.2%, disruption 10.0%)`. */
export function scoreMessage(s: Score): string {
  const score = Number.isFinite(s.score) ? s.score.toFixed(2) : '+Inf';
  return `score ${score} ${s.approved ? '>=' : '<'} threshold ${s.threshold.toFixed(2)} (k: ${s.k}, savings ${(s.savingsFraction * 100).toFixed(1)}%, disruption ${(s.disruptionFraction * 100).toFixed(1)}%)`;
}

export const isBalanced = (n: NodeInfo): boolean =>
  n.pool.pool.spec.disruption?.consolidationPolicy === 'Balanced';

/** A move to score: the nodes it removes, and its savings (USD/h removed less launched). */
export interface Move {
  readonly remove: readonly NodeInfo[];
  readonly savings: number;
}

/**
 * EvaluateBalancedMove: each Balanced pool among the removed nodes scored on its own (its share of
 * the net savings in proportion to its nodes' price), approved only when every one approves. Pools
 * under other policies are not scored. An empty map: nothing Balanced in the move.
 */
export function evaluateMove(m: Move, totals: ReadonlyMap<string, PoolTotals>): Map<string, Score> {
  const byPool = new Map<string, NodeInfo[]>();
  for (const n of m.remove) byPool.set(n.pool.name, [...(byPool.get(n.pool.name) ?? []), n]);
  const source = m.remove.reduce((s, n) => s + n.price, 0);
  const out = new Map<string, Score>();
  for (const [pool, nodes] of byPool) {
    if (!isBalanced(nodes[0] as NodeInfo)) continue;
    const price = nodes.reduce((s, n) => s + n.price, 0);
    const savings = byPool.size > 1 && source > 0 ? m.savings * (price / source) : m.savings;
    const disruption = nodes.reduce((s, n) => s + nodeDisruptionCost(n.moving), 0);
    out.set(pool, scoreMove(savings, disruption, totals.get(pool)));
  }
  return out;
}

export const allApproved = (scores: ReadonlyMap<string, Score>): boolean =>
  [...scores.values()].every((s) => s.approved);

/**
 * CanPassThreshold: whether the node's best move (deleting it, nothing launched) could pass. Nodes of
 * other policies, and pools with no cost to normalise against, always may.
 */
export function canPass(n: NodeInfo, totals: ReadonlyMap<string, PoolTotals>): boolean {
  if (!isBalanced(n)) return true;
  const t = totals.get(n.pool.name);
  if (!t || t.cost <= 0) return true;
  return scoreMove(n.price, nodeDisruptionCost(n.moving), t).approved;
}

/** Savings per unit of disruption (Candidate.SavingsRatio): Balanced candidates go highest first. */
export const savingsRatio = (n: NodeInfo): number => n.price / nodeDisruptionCost(n.moving);

/** Each pool's cost and disruption totals, once per classification (Karpenter: once per cycle). */
const totalsOf = new WeakMap<Classified, ReturnType<typeof poolTotals>>();
export function totals(c: Classified): ReturnType<typeof poolTotals> {
  let t = totalsOf.get(c);
  if (!t) totalsOf.set(c, (t = poolTotals(c.managed.values())));
  return t;
}

/** Why a Balanced move was rejected, in Karpenter's Event words. */
export function rejection(m: ScoredMove): string {
  const [pool, s] = [...m.scores].find(([, x]) => !x.approved) ?? [];
  return s === undefined ? 'rejected' : `ConsolidationRejected in NodePool ${pool}: ${scoreMessage(s)}`;
}

/** Why a Balanced node is not even tried. */
export const BEST_MOVE_FAILS =
  'under consolidationPolicy Balanced even deleting it outright saves too little for the pods it would move (score below 1/k)';
