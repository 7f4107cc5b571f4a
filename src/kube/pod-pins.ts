/**
 * Pinning a gated pod to the Node its round planned it onto, in the patch that lifts its gate: while a
 * pod is gated the API lets its required node affinity be set (or each term narrowed), and a required
 * term that names one Node by `matchFields metadata.name` makes kube-scheduler look at that Node alone
 * (its NodeAffinity PreFilter). No scoring over every Node, and no pod bound where the plan did not
 * put it, taking room kept for another. A pin cannot be undone, so only pods their controller makes
 * again are pinned, and a pin that turns out wrong is undone by deleting the pod (pin-faults.ts).
 */
import type { V1NodeAffinity, V1NodeSelectorRequirement, V1Pod } from '@kubernetes/client-node';

export type JsonOp = { op: 'test' | 'add'; path: string; value: unknown } | { op: 'remove'; path: string };

/** The controllers whose pods Berth pins: each makes a deleted pod again, and nothing counts it failed. */
const PINNABLE_OWNERS: ReadonlySet<string> = new Set(['ReplicaSet', 'ReplicationController', 'StatefulSet']);

/**
 * Whether a pod may be pinned: made by such a controller, and with nothing the plan may not know of
 * that ties it to a place (a claimed volume's zone, a host port).
 */
export function pinnable(p: V1Pod): boolean {
  const owner = p.metadata?.ownerReferences?.find((o) => o.controller === true);
  if (!owner || !PINNABLE_OWNERS.has(owner.kind)) return false;
  const spec = p.spec;
  if (!spec) return false;
  if (spec.volumes?.some((v) => v.persistentVolumeClaim !== undefined || v.ephemeral !== undefined))
    return false;
  const containers = [...spec.containers, ...(spec.initContainers ?? [])];
  return !containers.some((c) => c.ports?.some((port) => (port.hostPort ?? 0) > 0));
}

/** The requirement that names one Node. */
export const pinRequirement = (node: string): V1NodeSelectorRequirement => ({
  key: 'metadata.name',
  operator: 'In',
  values: [node],
});

const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';

/**
 * The ops that pin a pod (as last seen: whether it has spec.affinity, and its node affinity) to
 * `node`: a required term for it, or the requirement added to each term the pod has (the API allows
 * only that). Undefined when a term is empty (it matches no Node; the API allows no addition to it).
 */
export function pinOps(
  pod: { readonly hasAffinity?: boolean; readonly nodeAffinity?: V1NodeAffinity },
  node: string,
): JsonOp[] | undefined {
  const req = pinRequirement(node);
  const required = { nodeSelectorTerms: [{ matchFields: [req] }] };
  if (!pod.hasAffinity)
    return [{ op: 'add', path: '/spec/affinity', value: { nodeAffinity: { [REQUIRED]: required } } }];
  const na = pod.nodeAffinity;
  const path = '/spec/affinity/nodeAffinity';
  if (!na) return [{ op: 'add', path, value: { [REQUIRED]: required } }];
  const terms = na[REQUIRED]?.nodeSelectorTerms ?? [];
  const ops: JsonOp[] = [{ op: 'test', path, value: na }];
  if (terms.length === 0) return [...ops, { op: 'add', path: `${path}/${REQUIRED}`, value: required }];
  if (terms.some((t) => !t.matchExpressions?.length && !t.matchFields?.length)) return undefined;
  terms.forEach((t, i) => {
    const fields = `${path}/${REQUIRED}/nodeSelectorTerms/${i}/matchFields`;
    ops.push(
      t.matchFields
        ? { op: 'add', path: `${fields}/-`, value: req }
        : { op: 'add', path: fields, value: [req] },
    );
  });
  return ops;
}

/**
 * The Node a pod is pinned to: every term of its required node affinity names that one Node by
 * `matchFields metadata.name In`. Undefined for any other pod.
 */
export function pinnedNode(p: V1Pod): string | undefined {
  const terms = p.spec?.affinity?.nodeAffinity?.[REQUIRED]?.nodeSelectorTerms ?? [];
  let node: string | undefined;
  for (const t of terms) {
    const named = t.matchFields?.find(
      (f) => f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1,
    );
    const name = named?.values?.[0];
    if (name === undefined || (node !== undefined && name !== node)) return undefined;
    node = name;
  }
  return node;
}

/**
 * The Node a pod waits for kube-scheduler to bind it to, pinned there: let through (no gate left),
 * not bound yet, not being deleted. Undefined for any other pod.
 */
export function waitingOnPin(p: V1Pod): string | undefined {
  const spec = p.spec;
  if (!spec || spec.nodeName !== undefined || p.metadata?.deletionTimestamp !== undefined) return undefined;
  return (spec.schedulingGates?.length ?? 0) > 0 ? undefined : pinnedNode(p);
}
