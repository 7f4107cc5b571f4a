/**
 * The API server's admission plugins that change what a pod tolerates, modelled as EKS runs them:
 * ExtendedResourceToleration adds, to every Pod that requests an extended resource (nvidia.com/gpu,
 * aws.amazon.com/neuron, …), the toleration `{key: <resource>, operator: Exists, effect: NoSchedule}`
 * (k8s.io/kubernetes plugin/pkg/admission/extendedresourcetoleration). A Deployment's template never
 * gets it, its Pods do: Berth judges and plans templates as the Pods they become.
 */
import type { V1Container, V1PodSpec, V1Toleration } from '@kubernetes/client-node';

export type AdmissionPlugin = 'ExtendedResourceToleration';

/** An extended resource name: has a domain that is not kubernetes.io's, and is not a quota name. */
export function isExtendedResource(name: string): boolean {
  return name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');
}

function requested(c: V1Container): string[] {
  // Defaulting copies a limit to the request it lacks before admission plugins run.
  const names = new Set([
    ...Object.keys(c.resources?.requests ?? {}),
    ...Object.keys(c.resources?.limits ?? {}),
  ]);
  return [...names].filter(isExtendedResource);
}

/** The tolerations ExtendedResourceToleration adds to pods of this spec (none already there). */
export function extendedResourceTolerations(spec: V1PodSpec): V1Toleration[] {
  const names = new Set([...(spec.initContainers ?? []), ...spec.containers].flatMap(requested));
  const have = spec.tolerations ?? [];
  return [...names]
    .sort()
    .filter((key) => !have.some((t) => t.key === key && t.operator === 'Exists' && t.effect === 'NoSchedule'))
    .map((key) => ({ key, operator: 'Exists', effect: 'NoSchedule' }));
}

/** Whether any container asks for an extended resource: a loop that allocates nothing (every review runs it). */
function asksExtended(spec: V1PodSpec): boolean {
  const scan = (list: readonly V1Container[] | undefined): boolean => {
    for (const c of list ?? []) {
      const r = c.resources;
      if (!r) continue;
      for (const k in r.requests) if (isExtendedResource(k)) return true;
      for (const k in r.limits) if (isExtendedResource(k)) return true;
    }
    return false;
  };
  return scan(spec.containers) || scan(spec.initContainers);
}

/** The spec as its Pods will be admitted with these plugins on (the same object when nothing changes). */
export function admittedPodSpec(spec: V1PodSpec, plugins: readonly AdmissionPlugin[]): V1PodSpec {
  if (!plugins.includes('ExtendedResourceToleration') || !asksExtended(spec)) return spec;
  const added = extendedResourceTolerations(spec);
  if (added.length === 0) return spec;
  // Pod specs here are the JSON objects manifests and reviews decode to (no prototype to keep).
  const copy: V1PodSpec = Object.assign({}, spec);
  copy.tolerations = [...(spec.tolerations ?? []), ...added];
  return copy;
}
