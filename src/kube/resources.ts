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

const zero = (): PodRequests => ({
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
function addContainer(out: PodRequests, c: V1Container): void {
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

/**
 * The effective request of a pod: the larger of the sum over app containers (plus restartable init
 * containers, i.e. sidecars) and the largest init container, plus the pod overhead.
 */
export function podRequests(spec: V1PodSpec): PodRequests {
  const init = spec.initContainers ?? [];
  const app = zero();
  for (const c of spec.containers) addContainer(app, c);
  for (const c of init) if (c.restartPolicy === 'Always') addContainer(app, c);
  for (const c of init) {
    if (c.restartPolicy === 'Always') continue;
    const one = zero();
    addContainer(one, c);
    app.cpuMillis = Math.max(app.cpuMillis, one.cpuMillis);
    app.memoryMiB = Math.max(app.memoryMiB, one.memoryMiB);
    app.ephemeralMiB = Math.max(app.ephemeralMiB, one.ephemeralMiB);
    for (const k of ACCELERATOR_KEYS) app[k] = Math.max(app[k], one[k]);
  }
  const overhead = spec.overhead as ResourceMap;
  app.cpuMillis += cpuMillis(overhead?.cpu) ?? 0;
  app.memoryMiB += memoryMiB(overhead?.memory) ?? 0;
  app.ephemeralMiB += memoryMiB(overhead?.['ephemeral-storage']) ?? 0;
  return app;
}
