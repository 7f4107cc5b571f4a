/** Pod resource requests as the scheduler sums them. */
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { cpuMillis, memoryMiB, parseQuantity } from './quantity.js';

export interface PodRequests {
  cpuMillis: number;
  memoryMiB: number;
  /** ephemeral-storage, MiB. */
  ephemeralMiB: number;
  nvidiaGpu: number;
  amdGpu: number;
  neuron: number;
  neuronCore: number;
}

/**
 * The extended resources an instance type supplies (Karpenter's instancetype/types.go): a pod that
 * asks for one lands only on a type that has it. Requests must equal limits, and a limit alone sets both.
 */
export const ACCELERATORS = {
  nvidiaGpu: 'nvidia.com/gpu',
  amdGpu: 'amd.com/gpu',
  neuron: 'aws.amazon.com/neuron',
  neuronCore: 'aws.amazon.com/neuroncore',
} as const;

export type Accelerator = keyof typeof ACCELERATORS;
export const ACCELERATOR_KEYS = Object.keys(ACCELERATORS) as Accelerator[];

export const NO_REQUESTS: Readonly<PodRequests> = Object.freeze({
  cpuMillis: 0,
  memoryMiB: 0,
  ephemeralMiB: 0,
  nvidiaGpu: 0,
  amdGpu: 0,
  neuron: 0,
  neuronCore: 0,
});

type ResourceMap = Record<string, string | number> | undefined;

/**
 * A container's request for a resource as the pod runs with it: the API server defaults a request
 * that is not set from the limit when it creates the pod — a bare Pod's and the pods a workload's
 * template makes alike.
 */
export function containerRequest(c: V1Container, resource: string): string | number | undefined {
  const requests = c.resources?.requests as ResourceMap;
  const limits = c.resources?.limits as ResourceMap;
  return requests?.[resource] ?? limits?.[resource];
}

export const zero = (): PodRequests => ({
  cpuMillis: 0,
  memoryMiB: 0,
  ephemeralMiB: 0,
  nvidiaGpu: 0,
  amdGpu: 0,
  neuron: 0,
  neuronCore: 0,
});

/** Adds a request for `resource` into `out` (resources Berth does not model are not counted). */
function add(out: PodRequests, resource: string, value: string | number): void {
  switch (resource) {
    case 'cpu':
      out.cpuMillis += cpuMillis(value) ?? 0;
      return;
    case 'memory':
      out.memoryMiB += memoryMiB(value) ?? 0;
      return;
    case 'ephemeral-storage':
      out.ephemeralMiB += memoryMiB(value) ?? 0;
      return;
    case ACCELERATORS.nvidiaGpu:
      out.nvidiaGpu += parseQuantity(value) ?? 0;
      return;
    case ACCELERATORS.amdGpu:
      out.amdGpu += parseQuantity(value) ?? 0;
      return;
    case ACCELERATORS.neuron:
      out.neuron += parseQuantity(value) ?? 0;
      return;
    case ACCELERATORS.neuronCore:
      out.neuronCore += parseQuantity(value) ?? 0;
  }
}

/**
 * Adds a container's requests into `out`, each as containerRequest reads it (the request, else the
 * limit), by walking the keys it has: it runs on every review, and most containers name two or four
 * resources of the seven Berth counts.
 */
export function addContainer(out: PodRequests, c: V1Container): void {
  const requests = c.resources?.requests as ResourceMap;
  const limits = c.resources?.limits as ResourceMap;
  if (requests)
    for (const k in requests) {
      const v = requests[k] ?? undefined;
      if (v !== undefined) add(out, k, v);
    }
  if (limits)
    for (const k in limits) {
      const v = limits[k] ?? undefined;
      if (v !== undefined && (requests?.[k] ?? undefined) === undefined) add(out, k, v);
    }
}

/** Containers that run for the pod's lifetime: app containers and native sidecars (restartable init containers). */
export function longRunningContainers(spec: V1PodSpec): { container: V1Container; sidecar: boolean }[] {
  return [
    ...spec.containers.map((container) => ({ container, sidecar: false })),
    ...(spec.initContainers ?? [])
      .filter((c) => c.restartPolicy === 'Always')
      .map((container) => ({ container, sidecar: true })),
  ];
}

const KEYS = Object.keys(NO_REQUESTS) as (keyof PodRequests)[];

function addAll(into: PodRequests, from: Readonly<PodRequests>): void {
  for (const k of KEYS) into[k] += from[k];
}

function maxInto(into: PodRequests, from: Readonly<PodRequests>): void {
  for (const k of KEYS) into[k] = Math.max(into[k], from[k]);
}

/** Whether the pod sets a resource at pod level at all (a request, or a limit it defaults from). */
export function setAtPodLevel(spec: V1PodSpec, resource: 'cpu' | 'memory'): boolean {
  const pod = spec.resources;
  return (
    (pod?.requests as ResourceMap)?.[resource] !== undefined ||
    (pod?.limits as ResourceMap)?.[resource] !== undefined
  );
}

/**
 * The pod-level request of a resource (PodLevelResources, beta and on by default since Kubernetes
 * 1.34), as the API server defaults it: `spec.resources.requests`, else — only when no container
 * requests the resource — `spec.resources.limits` (pkg/apis/core/v1/defaults.go defaultPodRequests).
 * Only cpu and memory may be set at pod level.
 */
export function podLevelRequest(spec: V1PodSpec, resource: 'cpu' | 'memory'): string | number | undefined {
  const pod = spec.resources;
  if (!pod) return undefined;
  const requested = (pod.requests as ResourceMap)?.[resource];
  if (requested !== undefined) return requested;
  const limit = (pod.limits as ResourceMap)?.[resource];
  if (limit === undefined) return undefined;
  const all = [...spec.containers, ...(spec.initContainers ?? [])];
  return all.some((c) => containerRequest(c, resource) !== undefined) ? undefined : limit;
}

/**
 * The effective request of a pod, as kube-scheduler and Karpenter count it (k8s.io/component-helpers
 * resource.PodRequests): app containers and native sidecars summed; each init container counted with the
 * sidecars started before it, the largest of those if more; pod-level cpu and memory in place of the
 * containers' where the pod sets them; then the pod overhead.
 */
export function podRequests(spec: V1PodSpec): PodRequests {
  const reqs = aggregateContainers(spec, addContainer);
  const cpu = podLevelRequest(spec, 'cpu');
  const mem = podLevelRequest(spec, 'memory');
  if (cpu !== undefined) reqs.cpuMillis = cpuMillis(cpu) ?? reqs.cpuMillis;
  if (mem !== undefined) reqs.memoryMiB = memoryMiB(mem) ?? reqs.memoryMiB;
  addOverhead(reqs, spec);
  return reqs;
}

/** A resource list (a status's allocatedResources or resources.requests) as requests. */
export function requestsOfList(list: Readonly<Record<string, string | number>> | undefined): PodRequests {
  const out = zero();
  if (list) for (const k in list) add(out, k, list[k] ?? 0);
  return out;
}

/**
 * The containers' requests summed as kube-scheduler sums them (component-helpers
 * aggregateContainerResourcesByFn): app containers and native sidecars added; each init container
 * with the sidecars started before it, the largest of those if more. `add` adds a container's
 * requests into a sum (the spec's path allocates nothing per app container: it runs on every review).
 */
export function aggregateContainers(
  spec: V1PodSpec,
  add: (into: PodRequests, c: V1Container) => void,
): PodRequests {
  const reqs = zero();
  for (const c of spec.containers) add(reqs, c);
  const sidecars = zero();
  const initMax = zero();
  for (const c of spec.initContainers ?? []) {
    const own = zero();
    add(own, c);
    if (c.restartPolicy === 'Always') {
      addAll(reqs, own);
      addAll(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      addAll(own, sidecars);
      maxInto(initMax, own);
    }
  }
  maxInto(reqs, initMax);
  return reqs;
}

/** Adds `from` into `into`, resource by resource. */
export function addRequests(into: PodRequests, from: Readonly<PodRequests>): void {
  addAll(into, from);
}

/** Each resource the larger of the two, into `into`. */
export function maxRequests(into: PodRequests, from: Readonly<PodRequests>): void {
  maxInto(into, from);
}

/** Adds the pod overhead (RuntimeClass) to `reqs`. */
export function addOverhead(reqs: PodRequests, spec: V1PodSpec): void {
  const overhead = spec.overhead as ResourceMap;
  reqs.cpuMillis += cpuMillis(overhead?.cpu) ?? 0;
  reqs.memoryMiB += memoryMiB(overhead?.memory) ?? 0;
  reqs.ephemeralMiB += memoryMiB(overhead?.['ephemeral-storage']) ?? 0;
}
