/**
 * Why a node stays: the wait for consolidateAfter, what keeps a candidate once no decision is left,
 * and the metric label of each reason. Pure.
 */
import { AWAITS_GATED, NOMINATED } from './awaited.js';
import { allowance, readBudgets } from './budgets.js';
import type { V1Pod } from '@kubernetes/client-node';
import { RETURNING_ANNOTATION } from './returning.js';
import { STILL_STARTING } from './starting.js';
import { isReady, podId } from './pods.js';
import type { Reserved } from './world.js';
import { createdAt, type Classified, type Kept, type NodeInfo } from './candidates.js';
import { parseGoDuration } from '../../util/go-duration.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { Refusals } from './decision.js';

/** Whether a node of `pool` is past consolidateAfter: no pod bound to it or removed from it since (Karpenter's Consolidatable). */
export function pastConsolidateAfter(
  pool: PoolView,
  last: number | undefined,
  o: { now: number; defaultMs: number },
): boolean {
  const after = parseGoDuration(pool.pool.spec.disruption?.consolidateAfter) ?? o.defaultMs;
  return Number.isFinite(after) && (last === undefined || o.now - last >= after);
}

/**
 * Candidates whose pods changed within their NodePool's consolidateAfter are kept, saying how long is
 * left. A node no pod has come to or left since the leader started counts from its creation, as
 * Karpenter counts from a NodeClaim's initialization: a node that has just joined is empty only
 * because kube-scheduler has not bound its pods yet, and is never consolidated for it.
 */
export function settled(
  c: Classified,
  o: { now: number; lastPodEvent: (node: string) => number | undefined; defaultMs: number },
): Classified {
  const recent: Kept[] = [];
  const candidates = c.candidates.filter((n) => {
    const unsettled = unsettledPod(n, o.now);
    if (unsettled !== undefined) {
      recent.push({ node: n.name, reason: unsettled });
      return false;
    }
    const after = parseGoDuration(n.pool.pool.spec.disruption?.consolidateAfter) ?? o.defaultMs;
    const event = o.lastPodEvent(n.name);
    const last = event ?? createdAt(n.node);
    if (last === undefined || !Number.isFinite(after) || o.now - last >= after) return true;
    recent.push({
      node: n.name,
      reason:
        event === undefined
          ? `it joined ${Math.round((o.now - last) / 1000)}s ago and no pod has come or gone since; NodePool ${n.pool.name} waits ${Math.round(after / 1000)}s (consolidateAfter)`
          : `its pods changed ${Math.round((o.now - last) / 1000)}s ago; NodePool ${n.pool.name} waits ${Math.round(after / 1000)}s (consolidateAfter)`,
    });
    return false;
  });
  return { ...c, candidates, kept: [...c.kept, ...recent] };
}

/** How long a pod that came to a node and is not Ready yet holds the node back (ms). */
const SETTLE_MS = 10 * 60_000;

/**
 * A pod that came to the node (a move, a scale-out) and is not Ready yet, within the last 10 minutes:
 * the node is not disrupted again until its pods have settled. Karpenter counts consolidateAfter from
 * the last pod event alone (lastPodEventTime), so at its default `0s` a node a consolidation just
 * filled is a candidate at once, its moved pods still starting (kubernetes-sigs/karpenter#2705).
 */
function unsettledPod(n: NodeInfo, now: number): string | undefined {
  for (const p of n.moving) {
    if (isReady(p)) continue;
    const scheduled = p.status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'True');
    const came = new Date(
      scheduled?.lastTransitionTime ?? p.metadata?.creationTimestamp ?? Number.NaN,
    ).getTime();
    if (Number.isNaN(came) || now - came >= SETTLE_MS) continue;
    return `pod ${podId(p)} came to it ${Math.round((now - came) / 1000)}s ago and is not Ready yet: its pods settle before it is disrupted again (consolidateAfter counts from the last pod moved in, once it is Ready)`;
  }
  return undefined;
}

/** The metric label of a kept reason. */
export function categoryOf(reason: string): string {
  if (reason === NOMINATED || reason === AWAITS_GATED) return 'nominated';
  if (reason.includes('do-not-disrupt')) return 'do-not-disrupt';
  if (reason.includes('PodDisruptionBudget')) return 'pdb';
  if (reason.includes('no controller')) return 'no-controller';
  if (reason.includes('budget')) return 'budget';
  if (reason.includes('consolidateAfter')) return 'consolidate-after';
  if (reason.includes('returningPodsWindowSeconds')) return 'returning';
  if (reason.includes('minSavingsPercent')) return 'min-savings';
  if (reason.includes('(backoff after')) return 'backoff';
  if (reason.includes(STILL_STARTING)) return 'node-starting';
  if (reason.startsWith(KEEPS_ROOM)) return 'nominated';
  if (reason.includes('not Ready') || reason.includes('already being disrupted')) return 'not-ready';
  return 'not-cheaper';
}

const KEEPS_ROOM = 'it keeps room for';

/** Why an empty node whose room pods on their way or coming back are to take stays. */
export function roomReason(room: readonly V1Pod[]): string {
  const back = new Map<string, number>();
  for (const p of room) {
    const w = p.metadata?.annotations?.[RETURNING_ANNOTATION];
    if (w !== undefined) back.set(w, (back.get(w) ?? 0) + 1);
  }
  const waiting = room.length - [...back.values()].reduce((s, k) => s + k, 0);
  const parts = [
    ...(waiting > 0 ? [`${waiting} waiting ${waiting === 1 ? 'pod' : 'pods'}`] : []),
    ...[...back].map(
      ([w, k]) => `${k} ${k === 1 ? 'pod' : 'pods'} of ${w.replace('/', ' ').replace('/', ' ')} coming back`,
    ),
  ];
  const why =
    back.size > 0
      ? ` (it came back after shrinking within provisioner.consolidation.returningPodsWindowSeconds)`
      : '';
  return `${KEEPS_ROOM} ${parts.join(' and ')}${why}`;
}

/** Why the node's NodePool keeps it from consolidation, if it does. */
function poolKeeps(n: NodeInfo): string | undefined {
  const d = n.pool.pool.spec.disruption;
  if (n.pool.replicas !== undefined)
    return `NodePool ${n.pool.name} is static (replicas: ${n.pool.replicas}): its nodes are kept, never consolidated`;
  if (parseGoDuration(d?.consolidateAfter) === Number.POSITIVE_INFINITY)
    return `NodePool ${n.pool.name} has consolidateAfter: Never`;
  if (n.moving.length > 0 && d?.consolidationPolicy === 'WhenEmpty')
    return `NodePool ${n.pool.name} consolidates only empty nodes (consolidationPolicy: WhenEmpty)`;
  return undefined;
}

/** Why a node that is a candidate still stays once no decision is left. */
export function stayReason(
  n: NodeInfo,
  c: Classified,
  refusals: Refusals,
  now: Date,
  /** The room kept for pods on their way or coming back, by node (waiting.ts, returning.ts). */
  room?: Reserved,
): string {
  const refused = poolKeeps(n) ?? refusals.get(n.name) ?? n.heldBy;
  if (refused !== undefined) return refused;
  const held = room?.get(n.name) ?? [];
  if (n.moving.length === 0 && held.length > 0) return roomReason(held);
  const reason = n.moving.length === 0 ? 'Empty' : 'Underutilized';
  const a = allowance(
    readBudgets(n.pool.pool),
    reason,
    c.counts.get(n.pool.name) ?? { total: 0, disrupting: 0 },
    now,
  );
  if (a.allowed < 1) return `not consolidated: NodePool ${n.pool.name}'s ${a.why}`;
  return 'not consolidated: no cheaper placement for its pods';
}
