/**
 * One round of one node's drain: evict the next tier (a 429 counts as blocked and is retried next
 * round); and where the NodePool sets terminationGracePeriod, its deadline (the decision plus that
 * period) is kept as Karpenter v1.15's termination keeps it (terminator.go Drain, eviction.go
 * needsForceDelete): a pod whose own terminationGracePeriodSeconds would run past the deadline is
 * deleted early enough to finish by it, whatever its tier, PDBs and do-not-disrupt notwithstanding,
 * with the time left (at least 1 s) as its grace period; one already terminating past the deadline
 * is deleted again so. The rest drain tier by tier.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Metrics } from '../../observability/metrics.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { holdsNode, nextDrainStep } from './drain.js';
import type { NodeOps } from './node-ops.js';
import { poolGraceMs } from './node-policy.js';
import { isReady } from './pods.js';
import { surgeProgress, type Move } from './surge.js';

/** What happened to a pod a surge-first move is for: started, under way, or left to eviction (and why). */
export type SurgeNote = { readonly kind: 'started' } | { readonly kind: 'fallback'; readonly why: string };

export interface SurgeHands {
  readonly moveOf: (pod: V1Pod) => Move;
  /** Told when a move starts, and when one falls back to eviction. */
  readonly onSurge: (pod: V1Pod, deployment: Move & { kind: 'surge' }, note: SurgeNote) => void;
}

/**
 * A pod whose Deployment can move it surge-first (surge.ts): whether it is left to its rollout this
 * round (started now or under way), or is to be evicted (not such a pod; the change refused; the
 * rollout stalled).
 */
async function movedBySurge(
  ops: NodeOps,
  pod: V1Pod,
  node: string,
  s: SurgeHands | undefined,
): Promise<boolean> {
  const move = s?.moveOf(pod);
  if (!s || move?.kind !== 'surge' || !ops.surge) return false;
  const progress = surgeProgress(move.deployment, node);
  if (progress === 'under-way') return true;
  if (progress === 'stalled') {
    s.onSurge(pod, move, { kind: 'fallback', why: 'its rollout stalled (ProgressDeadlineExceeded)' });
    return false;
  }
  const started = await ops.surge(move.deployment, node);
  s.onSurge(pod, move, started.ok ? { kind: 'started' } : { kind: 'fallback', why: started.why });
  return started.ok;
}

/** When the node must be drained by: the decision (`since`, ms) plus its NodePool's terminationGracePeriod. */
export function drainDeadline(
  node: V1Node,
  pools: readonly PoolView[],
  since: number | undefined,
): number | undefined {
  const grace = poolGraceMs(node, pools);
  return grace !== undefined && since !== undefined ? since + grace : undefined;
}

/** needsForceDelete: a pod that cannot finish by the deadline if left to its eviction. */
export function needsForceDelete(pod: V1Pod, deadline: number | undefined, now: Date): boolean {
  if (deadline === undefined) return false;
  const deleting = pod.metadata?.deletionTimestamp;
  if (deleting !== undefined) return new Date(deleting).getTime() > deadline;
  // The API server defaults it to 30 s; a pod read from elsewhere may lack it.
  const tgp = pod.spec?.terminationGracePeriodSeconds ?? 30;
  return now.getTime() > deadline - tgp * 1000;
}

/** The grace period a forced deletion gets: the seconds left to the deadline, at least 1 (never 0: etcd). */
export const forcedGraceSeconds = (deadline: number, now: Date): number =>
  Math.max(Math.trunc((deadline - now.getTime()) / 1000), 1);

/** Deletes the pods that cannot finish by the deadline (none without one); those it deleted. */
async function forceDeletions(
  ops: NodeOps,
  metrics: Metrics,
  pods: readonly V1Pod[],
  deadline: number | undefined,
  now: Date,
): Promise<V1Pod[]> {
  if (deadline === undefined) return [];
  const forced = pods.filter((p) => holdsNode(p, now) && needsForceDelete(p, deadline, now));
  for (const pod of forced) {
    await ops.deletePod(pod, forcedGraceSeconds(deadline, now));
    metrics.disruptionEvictions.inc({ result: 'deleted' });
  }
  return forced;
}

/** One pod evicted (or, in a repair, deleted when a PDB refuses it and it is not Ready). */
async function evictOne(
  ops: NodeOps,
  metrics: Metrics,
  pod: V1Pod,
  o: { pdbOf?: (pod: V1Pod) => string | undefined; unready?: 'delete' },
): Promise<'evicted' | 'blocked'> {
  const r = await ops.evict(pod);
  metrics.disruptionEvictions.inc({ result: r });
  if (r !== 'blocked') return 'evicted';
  if (o.unready === 'delete' && !isReady(pod)) {
    await ops.deletePod(pod);
    metrics.disruptionEvictions.inc({ result: 'deleted' });
    return 'evicted';
  }
  const [ns = '', name = ''] = (o.pdbOf?.(pod) ?? '/').split('/', 2);
  metrics.drainsBlocked.inc({ pdb_namespace: ns, pdb_name: name });
  return 'blocked';
}

export async function drainStep(
  ops: NodeOps,
  metrics: Metrics,
  pods: readonly V1Pod[],
  o: {
    node: string;
    now: Date;
    /** The NodePool's terminationGracePeriod run from the decision (ms), if it sets one. */
    deadline?: number;
    pdbOf?: (pod: V1Pod) => string | undefined;
    /** Repair: a pod a PDB refuses that is not Ready is deleted (it counts nothing toward the budget). */
    unready?: 'delete';
    /** Single replicas moved surge-first instead of evicted (surge.ts). */
    surge?: SurgeHands;
  },
): Promise<{ done: boolean; evicted: number; blocked: number }> {
  const forced = await forceDeletions(ops, metrics, pods, o.deadline, o.now);
  // The graceful drain goes on beside them, over the pods not being forced.
  const rest = forced.length > 0 ? pods.filter((p) => !forced.includes(p)) : pods;
  let step = nextDrainStep(rest, o.now);
  // The cache may miss a pod bound a moment ago (kube-scheduler not yet seeing the taint): the
  // API server's list has the last word before the node goes.
  if (step.done && forced.length > 0) return { done: false, evicted: 0, blocked: 0 };
  if (step.done) step = nextDrainStep(await ops.podsOn(o.node), o.now);
  if (step.done) return { done: true, evicted: 0, blocked: 0 };
  let evicted = 0;
  let blocked = 0;
  for (const pod of step.evict) {
    if (await movedBySurge(ops, pod, o.node, o.surge)) continue;
    if ((await evictOne(ops, metrics, pod, o)) === 'blocked') blocked += 1;
    else evicted += 1;
  }
  return { done: false, evicted, blocked };
}
