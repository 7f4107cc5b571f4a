/**
 * What a drain does next, as Karpenter's terminator orders it: non-critical pods first, then
 * non-critical DaemonSet pods, then critical ones (`system-cluster-critical`, `system-node-critical`),
 * then critical DaemonSet pods, one tier at a time; mirror pods, finished pods and pods that tolerate
 * the disruption taint are never evicted. A pod is gone once deleted, or once its grace period since
 * the eviction has run out (a node is never terminated under a pod still shutting down).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { DISRUPTED_TAINT } from './candidates.js';
import { isDaemonSetPod } from '../../kube/workload.js';
import { isCritical, isMirror, isTerminal, podProtection } from './pods.js';

function toleratesDisruption(pod: V1Pod): boolean {
  return (pod.spec?.tolerations ?? []).some(
    (t) =>
      (t.key === DISRUPTED_TAINT || (t.key === undefined && t.operator === 'Exists')) &&
      (t.effect === undefined || t.effect === 'NoSchedule'),
  );
}

/** 0–3: the tier a pod is evicted in; undefined for a pod the drain leaves alone. */
export function tierOf(pod: V1Pod): number | undefined {
  if (isMirror(pod) || isTerminal(pod) || toleratesDisruption(pod)) return undefined;
  return (isCritical(pod) ? 2 : 0) + (isDaemonSetPod(pod) ? 1 : 0);
}

/** Still holds the node: not finished, and not past its grace period since it was evicted. */
export function holdsNode(pod: V1Pod, now: Date): boolean {
  if (tierOf(pod) === undefined) return false;
  const deleting = pod.metadata?.deletionTimestamp;
  return deleting === undefined || new Date(deleting).getTime() > now.getTime();
}

export interface DrainStep {
  /** Pods to evict now (the lowest tier that still has pods not yet evicted). */
  evict: V1Pod[];
  /** Pods of the current tier still shutting down or marked do-not-disrupt: wait for them. */
  waiting: number;
  done: boolean;
}

export function nextDrainStep(pods: readonly V1Pod[], now: Date): DrainStep {
  const holding = pods.filter((p) => holdsNode(p, now));
  if (holding.length === 0) return { evict: [], waiting: 0, done: true };
  const tier = Math.min(...holding.map((p) => tierOf(p) ?? 4));
  const inTier = holding.filter((p) => tierOf(p) === tier);
  // A pod that gained do-not-disrupt since the decision is waited on, never evicted.
  const evict = inTier.filter(
    (p) => p.metadata?.deletionTimestamp === undefined && podProtection(p, now) === undefined,
  );
  return { evict, waiting: inTier.length - evict.length, done: false };
}
