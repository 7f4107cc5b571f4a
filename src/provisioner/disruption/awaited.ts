/**
 * Nodes disruption leaves alone because pods are on their way to them. Karpenter keeps a node
 * nominated for pending pods; Berth also holds pods back itself (its scheduling gate), and a node
 * bought for gated pods stands empty until their gates come off — at 10,000 pods, over minutes, with
 * no provisioner round between a round's first launch and its last. Without this, emptiness took 589
 * such nodes in one ×10 scale-out, and the provisioner bought them again. Pure.
 */
import type { V1Node } from '@kubernetes/client-node';
import { MAX_GATED_MS } from '../controller/gates.js';
import { createdAt } from './candidates.js';

/** Why a node the provisioner planned waiting pods onto stays (Karpenter: nominated for a pending pod). */
export const NOMINATED = 'pods waiting to be scheduled are planned onto it (nominated)';

/**
 * How young a node no pod has come to must be to stay while pods are gated: three times the longest a
 * gate stays on, as gates come off only as fast as the API server takes the writes (11 minutes for
 * 10,000 pods on this 2-core machine). An older empty node goes whatever is gated.
 */
export const AWAITED_MS = 3 * MAX_GATED_MS;

/** Why a node no pod has come to yet stays while pods wait behind Berth's gate. */
export const AWAITS_GATED =
  "no pod has come to it yet, and pods it may be for wait behind Berth's scheduling gate";

export interface AwaitedView {
  readonly now: number;
  /** A Node or NodeClaim name the provisioner planned pods still waiting onto (controller/nominations.ts). */
  readonly nominated: (name: string) => boolean;
  /** The NodeClaim the Node is, if any. */
  readonly claimOf: (node: V1Node) => string | undefined;
  /** When a pod last came to or left the node since this leader started (ms). */
  readonly lastPodEvent: (node: string) => number | undefined;
  /** Whether any pod waits behind Berth's scheduling gate now. */
  readonly gated: boolean;
}

/**
 * Why `node` stays for pods on their way, if it does: nominated (itself or its claim), or — while any
 * pod is gated — no pod has come to it since it was created, less than AWAITED_MS ago.
 */
export function awaitedReason(node: V1Node, v: AwaitedView): string | undefined {
  const name = node.metadata?.name ?? '';
  const claim = v.claimOf(node);
  if (v.nominated(name) || (claim !== undefined && v.nominated(claim))) return NOMINATED;
  if (!v.gated || v.lastPodEvent(name) !== undefined) return undefined;
  const created = createdAt(node);
  return created !== undefined && v.now - created < AWAITED_MS ? AWAITS_GATED : undefined;
}

/** Why a decision's nodes may not go now: pods on their way to one of them. */
export function firstAwaited(
  nodes: readonly V1Node[],
  awaited: ((node: V1Node) => string | undefined) | undefined,
): string | undefined {
  for (const n of nodes) {
    const why = awaited?.(n);
    if (why !== undefined) return `${n.metadata?.name ?? ''}: ${why}`;
  }
  return undefined;
}
