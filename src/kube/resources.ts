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

function sum(containers: V1Container[]): PodRequests {
  const out = { ...NO_REQUESTS };
  for (const c of containers) {
    out.cpuMillis += cpuMillis(containerRequest(c, 'cpu')) ?? 0;
    out.memoryMiB += memoryMiB(containerRequest(c, 'memory')) ?? 0;
    out.ephemeralMiB += memoryMiB(containerRequest(c, 'ephemeral-storage')) ?? 0;
    for (const k of ACCELERATOR_KEYS) out[k] += parseQuantity(containerRequest(c, ACCELERATORS[k])) ?? 0;
  }
  return out;
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
  const sidecars = init.filter((c) => c.restartPolicy === 'Always');
  const app = sum([...spec.containers, ...sidecars]);
  for (const c of init) {
    if (c.restartPolicy === 'Always') continue;
    const one = sum([c]);
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
