/**
 * The nodes a consolidation moves no pod onto: those of a NodePool with a consolidateAfter (not `0s`,
 * not `Never`) whose pods changed within it, or, none having changed since the leader started counting,
 * that joined within it. Karpenter v1.15's consolidation simulations skip them as targets for the
 * candidates' pods (scheduling.IsConsolidationSimulation, disruption.IsUnderConsolidateAfter); pods
 * waiting for a node and the pods of nodes already being disrupted may still go there. Without it a
 * consolidation moved pods onto the nodes a scale-out had just filled, or just bought for pods on
 * their way, and one decision's targets became the next one's candidates (bench:cluster's churn: four
 * single-node deletions during a high, while the provisioner bought nodes for that high). Pure.
 */
import type { V1Node } from '@kubernetes/client-node';
import { LABEL } from '../../catalog/instance-type.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { parseGoDuration } from '../../util/go-duration.js';
import { createdAt } from './candidates.js';

export interface SettlingClock {
  readonly now: number;
  /** When a pod was last bound to the node or left it (undefined: none since the leader started). */
  readonly lastPodEvent: (node: string) => number | undefined;
  /** consolidateAfter of a pool that sets none. */
  readonly defaultMs: number;
}

/** The names of the nodes under their pool's consolidateAfter. */
export function settlingNodes(
  nodes: readonly V1Node[],
  pools: readonly PoolView[],
  o: SettlingClock,
): Set<string> {
  const byName = new Map(pools.map((p) => [p.name, p]));
  const out = new Set<string>();
  for (const n of nodes) {
    const name = n.metadata?.name ?? '';
    const pool = byName.get(n.metadata?.labels?.[LABEL.nodePool] ?? '');
    if (!pool) continue;
    const after = parseGoDuration(pool.pool.spec.disruption?.consolidateAfter) ?? o.defaultMs;
    if (!Number.isFinite(after) || after <= 0) continue;
    const last = o.lastPodEvent(name) ?? createdAt(n);
    if (last !== undefined && o.now - last < after) out.add(name);
  }
  return out;
}

/**
 * Why a consolidation no longer holds at its check: a pod came to or left one of its nodes while it
 * was validated (a scale-in deleted one, or one was bound in the moment before the node's taint), so
 * the node is under consolidateAfter again. Karpenter's validation gets the candidates afresh and
 * drops the decision when one is no longer Consolidatable (its lastPodEventTime moved:
 * ConsolidationValidator.validateCandidates); its pods are not the ones the decision was made for.
 */
export function changedWhileValidated(
  nodes: readonly V1Node[],
  settling: ReadonlySet<string> | undefined,
): string | undefined {
  const name = settling && nodes.map((n) => n.metadata?.name ?? '').find((x) => settling.has(x));
  return name
    ? `${name}: a pod came to it or left it while the decision was validated; it waits its NodePool's consolidateAfter again`
    : undefined;
}
