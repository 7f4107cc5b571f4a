/**
 * Lifting one scheduling gate off a pod — the only change to spec.schedulingGates the API allows —
 * and, in the same patch, steering kube-scheduler to the node the provisioner planned the pod onto:
 * a gated pod's preferred node affinity may be changed freely (required terms only narrowed), so a
 * preferred term for that node by name is added as the gate comes off — or, for a pod its controller
 * makes again, a required one that pins it there (pod-pins.ts).
 */
import {
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Api,
  type V1NodeAffinity,
  type V1Pod,
} from '@kubernetes/client-node';
import { statusOf } from './client.js';
import { pinOps, type JsonOp } from './pod-pins.js';

/** Whether a pod still waits behind `gate`: not bound, not being deleted, the gate on. */
export function heldBy(p: V1Pod, gate: string): boolean {
  return (
    p.spec?.nodeName === undefined &&
    p.metadata?.deletionTimestamp === undefined &&
    p.spec?.schedulingGates?.some((g) => g.name === gate) === true
  );
}

/** The weight of the planned node's term: the most a preferred term can have. */
export const PLANNED_NODE_WEIGHT = 100;

export interface GatedPodRef {
  readonly namespace: string;
  readonly name: string;
  readonly gates: readonly { name?: string }[];
  /** The pod's node affinity as last seen (needed to steer it). */
  readonly nodeAffinity?: V1NodeAffinity;
  /** Whether the pod as last seen has spec.affinity at all. */
  readonly hasAffinity?: boolean;
  /** Whether it may be pinned to its planned Node (pod-pins.ts: pinnable). */
  readonly pinnable?: boolean;
}

type Op = JsonOp;

/** A preferred term for one node by name (matchFields metadata.name: Node names are not labels everywhere). */
export const plannedNodeTerm = (node: string) => ({
  weight: PLANNED_NODE_WEIGHT,
  preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] },
});

/**
 * The JSON patch that lifts `gate` (by its index as last seen, its name tested first) and, with
 * `prefer`, steers the pod to that node: pinned there (pod-pins.ts) when `pin` and the pod may be,
 * else with the preferred term for it, at the deepest part of spec.affinity the pod has; the node
 * affinity tested unchanged since it was seen. Undefined when the pod has no such gate. Pure.
 */
export function liftOps(pod: GatedPodRef, gate: string, prefer?: string, pin = false): Op[] | undefined {
  const i = pod.gates.findIndex((g) => g.name === gate);
  if (i < 0) return undefined;
  const ops: Op[] = [
    { op: 'test', path: `/spec/schedulingGates/${i}/name`, value: gate },
    { op: 'remove', path: `/spec/schedulingGates/${i}` },
  ];
  if (prefer === undefined) return ops;
  const pinned = pin && pod.pinnable === true ? pinOps(pod, prefer) : undefined;
  if (pinned) return [...ops, ...pinned];
  const term = plannedNodeTerm(prefer);
  const na = pod.nodeAffinity;
  if (!pod.hasAffinity)
    ops.push({
      op: 'add',
      path: '/spec/affinity',
      value: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term] } },
    });
  else if (!na)
    ops.push({
      op: 'add',
      path: '/spec/affinity/nodeAffinity',
      value: { preferredDuringSchedulingIgnoredDuringExecution: [term] },
    });
  else {
    const path = '/spec/affinity/nodeAffinity';
    ops.push({ op: 'test', path, value: na });
    const list = na.preferredDuringSchedulingIgnoredDuringExecution;
    if (list)
      ops.push({ op: 'add', path: `${path}/preferredDuringSchedulingIgnoredDuringExecution/-`, value: term });
    else
      ops.push({ op: 'add', path: `${path}/preferredDuringSchedulingIgnoredDuringExecution`, value: [term] });
  }
  return ops;
}

/**
 * Removes the gate named `gate` from a pod, steered (or pinned) to `prefer` when given. A pod changed
 * since it was seen (its gates reordered, its node affinity changed) or gone answers 422 or 404: a
 * steered lift is then tried once more unsteered (the steering is a nudge; the gate must come off),
 * and an unsteered one is `false` (nothing lifted; the next look reads it afresh). Other errors throw.
 */
export async function liftGate(
  core: Pick<CoreV1Api, 'patchNamespacedPod'>,
  pod: GatedPodRef,
  gate: string,
  prefer?: string,
  pin = false,
): Promise<boolean> {
  const body = liftOps(pod, gate, prefer, pin);
  if (!body) return false;
  try {
    await core.patchNamespacedPod(
      { name: pod.name, namespace: pod.namespace, body, fieldManager: 'berth' },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    return true;
  } catch (e) {
    const code = statusOf(e);
    if (code === 422 && prefer !== undefined) return liftGate(core, pod, gate);
    if (code === 404 || code === 422 || code === 409) return false;
    throw e;
  }
}
