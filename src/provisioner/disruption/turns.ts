/**
 * The pace of consolidations. One waits out its validation delay at a time (inValidationDelay,
 * below). Replacing ones then take turns at the launch: kube-scheduler, not the plan, places the pods
 * a drain moves, and a fresh empty node is where it puts them first (LeastAllocated, and topology
 * spread counts it as holding none), so two replacements Ready and empty at once would take each
 * other's pods, and the pods left without room would be bought for again. Several replacing
 * consolidations may be under way (at most `MAX_REPLACING`), but each launches only once no other
 * holds the turn: none has replacements joining, and none drains a node whose pods still have to
 * move. Drift and expiration, which must happen, do not wait (Karpenter runs them side by side).
 * Pure.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { DECISION_ANNOTATION, DISRUPTION_ANNOTATION, DRAINING, VALIDATING } from './marks.js';
import { moves } from './pods.js';
import { claimsOf } from './replacements.js';

/** Replacing consolidations under way at once (decided, validating, or launching). */
export const MAX_REPLACING = 3;

/** How long a replacing consolidation waits for its turn before it is abandoned (ms). */
export const TURN_TIMEOUT_MS = 300_000;

export const isConsolidation = (method: string): boolean =>
  method === 'single-node' || method === 'multi-node';

/** Why a replacing consolidation cannot be sought now: MAX_REPLACING of them are under way. */
export function queueFull(count: number): string | undefined {
  return count >= MAX_REPLACING
    ? `its pods would need new capacity, and ${count} replacing consolidations are under way (at most ${MAX_REPLACING}; they launch one after another)`
    : undefined;
}

/**
 * The node whose replacing consolidation holds the turn, if one does (not decision `self`'s): its
 * replacements are launched and joining, or it drains with pods still to move.
 */
export function turnHolder(
  nodes: readonly V1Node[],
  podsByNode: ReadonlyMap<string, readonly V1Pod[]>,
  self: string,
): string | undefined {
  for (const n of nodes) {
    const a = n.metadata?.annotations ?? {};
    const phase = a[DISRUPTION_ANNOTATION];
    if (phase === undefined || a[DECISION_ANNOTATION] === self || claimsOf(n).length === 0) continue;
    const name = n.metadata?.name ?? '';
    if (phase.startsWith(VALIDATING) && isConsolidation(phase.slice(VALIDATING.length))) return name;
    if (
      phase.startsWith(DRAINING) &&
      isConsolidation(phase.slice(DRAINING.length)) &&
      (podsByNode.get(name) ?? []).some(moves)
    )
      return name;
  }
  return undefined;
}

/** The methods Karpenter validates in its loop: emptiness and consolidation (not drift, not expiration). */
export const pacedMethod = (method: string): boolean => method === 'emptiness' || isConsolidation(method);

/** A decision under way, as far as the pace of decisions reads it (inflight.ts' UnderWay). */
interface Paced {
  readonly method: string;
  readonly claims: readonly string[];
  readonly since: number | undefined;
}

/**
 * Whether an emptiness or consolidation decision waits out its validation delay: no other is sought
 * meanwhile. Karpenter validates these commands inside its disruption loop (Validator.Validate waits
 * commandValidationDelay, 15 s, before the loop goes on), so it seeks the next only once that one is
 * checked, against the cluster as it is then. Deciding side by side, Berth had taken a churn's first
 * low in two decisions a second apart — 10 empty nodes, then 12 under-used ones — whose drains ended
 * as the Deployments came back, and bought 20 nodes for them again.
 */
export function inValidationDelay(groups: readonly Paced[], now: number, delayMs: number): boolean {
  return groups.some((x) => pacedMethod(x.method) && x.claims.length === 0 && now - (x.since ?? 0) < delayMs);
}
