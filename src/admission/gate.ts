/**
 * The scheduling gate (POST /gate): a new pod that kube-scheduler would place is created behind
 * Berth's gate while Berth's provisioner leads and provisioner.schedulingGates is on. The leader lifts
 * it once the pod has room: at once when the pod fits capacity that is there, when the node planned
 * for it joins, or when Berth cannot place it (operator/duties/scheduling-gates.ts). A pod gated never
 * fails a scheduling attempt while its node boots, so it never waits out kube-scheduler's back-off
 * (1 s doubling to 10 s per failed attempt) once the node is there. Pure.
 */
import { patched, type Decision } from './admit.js';
import { isDaemonSetPod } from '../kube/workload.js';
import type { AdmissionRequest } from './review.js';

/** The gate's name in spec.schedulingGates. */
export const SCHEDULING_GATE = 'berth.dev/capacity';

interface PodShape {
  metadata?: { ownerReferences?: { kind?: string; controller?: boolean }[] };
  spec?: { nodeName?: string; schedulerName?: string; schedulingGates?: { name?: string }[] };
}

/** Why a pod is not gated, or undefined when it is one to gate. */
export function notGated(pod: PodShape): string | undefined {
  const spec = pod.spec ?? {};
  if (spec.nodeName) return 'the pod names its node';
  if (spec.schedulerName !== undefined && spec.schedulerName !== 'default-scheduler')
    return `the pod is scheduled by ${spec.schedulerName}`;
  if (isDaemonSetPod(pod)) return "a DaemonSet's pods go to the nodes they name";
  if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.some((g) => g.name === SCHEDULING_GATE))
    return 'the pod is gated already';
  return undefined;
}

function allow(req: AdmissionRequest, skipped: string): Decision {
  return { response: { uid: req.uid, allowed: true }, skipped };
}

/**
 * The gate's answer: always allowed; a JSON patch adding the gate when `on` (a Berth provisioner
 * leads with gates on) and the request creates a pod kube-scheduler would place.
 */
export function gate(req: AdmissionRequest, on: boolean): Decision {
  if (req.kind.kind !== 'Pod' || req.operation !== 'CREATE' || req.subResource !== undefined)
    return allow(req, 'only new pods are gated');
  if (!on) return allow(req, 'no Berth provisioner leads with scheduling gates on');
  const pod = req.object as PodShape | null | undefined;
  if (pod === null || pod === undefined || typeof pod !== 'object')
    return allow(req, 'no pod in the request');
  const why = notGated(pod);
  if (why !== undefined) return allow(req, why);
  const entry = { name: SCHEDULING_GATE };
  const ops = Array.isArray(pod.spec?.schedulingGates)
    ? [{ op: 'add', path: '/spec/schedulingGates/-', value: entry }]
    : [{ op: 'add', path: '/spec/schedulingGates', value: [entry] }];
  return patched(req.uid, ops);
}
