/**
 * When a pin is wrong. A pod the gate let through pinned to its planned Node (kube/pod-pins.ts) can
 * go nowhere else: should that Node be gone, closed to it, or full (kube-scheduler bound other pods
 * into the room the plan kept for it), it would wait for ever. Such a pod is deleted, its controller
 * makes it again, behind the gate, and the next round plans it afresh. Pure.
 */
import { untoleratedTaint, type Toleration } from '../../scheduling/taints.js';
import type { ExistingNode } from '../solver/model.js';
import { fitsWith, sumOf, type Res } from '../solver/resources.js';

/** Why a pin is undone (`berth_provisioner_pins_undone_total{reason}`). */
export type PinFault = 'node-gone' | 'node-closed' | 'taint' | 'no-room' | 'unschedulable';

/** What each fault says of the Node, after "pinned to node N, which …" (the pod's Event). */
export const PIN_FAULT_TEXT: Readonly<Record<PinFault, string>> = {
  'node-gone': 'is gone',
  'node-closed': 'is cordoned or being deleted',
  taint: 'has a taint the pod does not tolerate',
  'no-room': 'has no room left for it',
  unschedulable: 'kube-scheduler could not place it on for 10 s',
};

/** A pinned pod that waits for kube-scheduler. */
export interface PinnedPod {
  readonly requests: Res;
  readonly tolerations: readonly Toleration[];
  /** Since when kube-scheduler has been seen to refuse the pod (PodScheduled False, Unschedulable; ms). */
  readonly unschedulableSince?: number;
  /**
   * The Node still carries a taint only a starting node carries (ephemeral, or its NodePool's
   * startupTaints) that the pod does not tolerate: kube-scheduler refuses it until an agent lifts it.
   */
  readonly nodeStarting?: boolean;
}

/**
 * How long kube-scheduler may say it cannot place a pinned pod whose Node looks able to take it
 * (a reason Berth does not see: a volume, a port, a spread) before the pin is undone all the same.
 */
export const PIN_GRACE_MS = 10_000;

/**
 * What is wrong with a pod's pin to `node` (undefined: the Node is gone): the Node gone, cordoned or
 * being deleted, tainted against the pod (a disruption's taint; `node` as existingNode gives it, without
 * its start-up taints), without room for it beside the pods bound there, or kube-scheduler refusing it
 * for `graceMs` while the Node is not starting. Undefined while the pin may still hold.
 */
export function pinFault(
  pod: PinnedPod,
  node: ExistingNode | undefined,
  now: number,
  graceMs = PIN_GRACE_MS,
): PinFault | undefined {
  if (!node) return 'node-gone';
  if (node.unschedulable === true) return 'node-closed';
  if (untoleratedTaint(node.taints, pod.tolerations)) return 'taint';
  const used = sumOf(node.pods.map((p) => p.requests));
  if (!fitsWith(node.allocatable, used, pod.requests)) return 'no-room';
  const since = pod.unschedulableSince;
  return since !== undefined && now - since >= graceMs && pod.nodeStarting !== true
    ? 'unschedulable'
    : undefined;
}
