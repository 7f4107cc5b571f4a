/**
 * What a review is about: the object (with its namespace filled in), the previous version on UPDATE,
 * and the reason to leave it alone (DELETE, an owned object, a kind without rules). A Scale
 * subresource (`kubectl scale`) becomes the workload it scales, at the requested replica count.
 */
import type { KubeObject } from '../kube/objects.js';
import { isObject } from '../kube/objects.js';
import { isReplicated, setReplicas } from '../kube/workload.js';
import { hasRules } from '../policies/engine.js';
import type { ClusterView } from '../policies/view.js';
import type { AdmissionRequest } from './review.js';

export type Subject =
  | { ok: true; object: KubeObject; oldObject: KubeObject | undefined; namespace: string }
  | { ok: false; skipped: string };

const SCALED: Record<string, string> = {
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  replicasets: 'ReplicaSet',
  replicationcontrollers: 'ReplicationController',
};

function withNamespace(obj: KubeObject, namespace: string): KubeObject {
  if (obj.metadata?.namespace === namespace) return obj;
  return { ...obj, metadata: { ...(obj.metadata ?? {}), namespace } };
}

/** An object made and re-made by a controller (a Deployment's ReplicaSet, its Pods) is judged through its owner. */
function controllerOf(obj: KubeObject): string | undefined {
  // parseReview checked the shape (object-shape.ts): ownerReferences is a list of references.
  const owner = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  return owner ? `${owner.kind}/${owner.name}` : undefined;
}

function scaleSubject(req: AdmissionRequest, view: ClusterView, ns: string): Subject {
  const kind = SCALED[req.resource?.resource ?? ''];
  const replicas = isObject(req.object?.spec) ? req.object.spec.replicas : undefined;
  if (kind === undefined || typeof replicas !== 'number')
    return { ok: false, skipped: `scale of ${req.resource?.resource ?? 'an unknown resource'}` };
  const name = req.name ?? req.object?.metadata?.name ?? '';
  const current = view.workloads(ns).find((w) => w.kind === kind && w.metadata?.name === name);
  if (!current) return { ok: false, skipped: `${kind} ${ns}/${name} is not in the cache` };
  const scaled = structuredClone(current);
  if (isReplicated(kind)) setReplicas(scaled, replicas);
  return {
    ok: true,
    object: withNamespace(scaled, ns),
    oldObject: withNamespace(current, ns),
    namespace: ns,
  };
}

export function subjectOf(req: AdmissionRequest, view: ClusterView): Subject {
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE')
    return { ok: false, skipped: `${req.operation} is not reviewed` };
  const ns = req.namespace ?? req.object?.metadata?.namespace ?? '';
  if (req.subResource === 'scale') return scaleSubject(req, view, ns);
  // Judged by the review's kind before anything more of the object is read: whatever the metadata of
  // a kind without rules holds, it is allowed untouched.
  if (!hasRules(req.kind.kind)) return { ok: false, skipped: `no rules for kind ${req.kind.kind}` };
  if (req.subResource !== undefined && req.subResource !== '')
    return { ok: false, skipped: `subresource ${req.subResource} is not reviewed` };
  return objectSubject(req, ns);
}

function objectSubject(req: AdmissionRequest, ns: string): Subject {
  const object = req.object;
  if (!object) return { ok: false, skipped: 'the review carries no object' };
  const owner = controllerOf(object);
  if (owner !== undefined && (object.kind === 'Pod' || object.kind === 'ReplicaSet' || object.kind === 'Job'))
    return { ok: false, skipped: `controlled by ${owner}; judged through it` };
  const filled = object.kind !== undefined ? object : { ...object, kind: req.kind.kind };
  const old = req.operation === 'UPDATE' && req.oldObject ? withNamespace(req.oldObject, ns) : undefined;
  return { ok: true, object: withNamespace(filled, ns), oldObject: old, namespace: ns };
}
