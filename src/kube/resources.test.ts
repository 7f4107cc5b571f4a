import { describe, expect, it } from 'vitest';
import type { V1PodSpec } from '@kubernetes/client-node';
import type { V1Container } from '@kubernetes/client-node';
import {
  ACCELERATOR_KEYS,
  ACCELERATORS,
  containerRequest,
  NO_REQUESTS,
  podRequests,
  type PodRequests,
} from './resources.js';
import { cpuMillis, memoryMiB, parseQuantity } from './quantity.js';

describe('podRequests: what the pods run with once the API server has defaulted them', () => {
  it.each<[string, V1PodSpec, PodRequests]>([
    [
      'a limit stands for a missing request',
      { containers: [{ name: 'a', resources: { limits: { cpu: '250m', memory: '180Mi' } } }] },
      { ...NO_REQUESTS, cpuMillis: 250, memoryMiB: 180, nvidiaGpu: 0 },
    ],
    [
      'an explicit request wins over its limit',
      {
        containers: [
          { name: 'a', resources: { requests: { cpu: '100m' }, limits: { cpu: '1', memory: '1Gi' } } },
        ],
      },
      { ...NO_REQUESTS, cpuMillis: 100, memoryMiB: 1024, nvidiaGpu: 0 },
    ],
    [
      'neither: nothing',
      { containers: [{ name: 'a' }, { name: 'b', resources: { limits: { 'nvidia.com/gpu': '1' } } }] },
      { ...NO_REQUESTS, cpuMillis: 0, memoryMiB: 0, nvidiaGpu: 1 },
    ],
    [
      'ephemeral storage and the accelerators an instance type supplies (a limit alone sets the request)',
      {
        containers: [
          {
            name: 'a',
            resources: {
              requests: { 'ephemeral-storage': '50Ti' },
              limits: { 'amd.com/gpu': '1', 'aws.amazon.com/neuron': '2', 'aws.amazon.com/neuroncore': '4' },
            },
          },
        ],
        overhead: { 'ephemeral-storage': '1Gi' },
      },
      { ...NO_REQUESTS, ephemeralMiB: 50 * 1024 * 1024 + 1024, amdGpu: 1, neuron: 2, neuronCore: 4 },
    ],
    [
      'an init container defaulted from its limits counts when it is the largest',
      {
        initContainers: [{ name: 'i', resources: { limits: { cpu: '2', memory: '2Gi' } } }],
        containers: [{ name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' } } }],
      },
      { ...NO_REQUESTS, cpuMillis: 2000, memoryMiB: 2048, nvidiaGpu: 0 },
    ],
    // k8s.io/component-helpers resource.PodRequests (AggregateContainerRequests): an init container
    // counts with the sidecars started before it.
    [
      'an init container runs beside the sidecars started before it',
      {
        containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '100Mi' } } }],
        initContainers: [
          {
            name: 'mesh',
            restartPolicy: 'Always',
            resources: { requests: { cpu: '200m', memory: '200Mi' } },
          },
          { name: 'migrate', resources: { requests: { cpu: '1', memory: '64Mi' } } },
        ],
      },
      { ...NO_REQUESTS, cpuMillis: 1200, memoryMiB: 300 },
    ],
    [
      'an init container before the sidecars runs alone',
      {
        containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }],
        initContainers: [
          { name: 'migrate', resources: { requests: { cpu: '1' } } },
          { name: 'mesh', restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } },
        ],
      },
      { ...NO_REQUESTS, cpuMillis: 1000 },
    ],
    // PodLevelResources (Kubernetes 1.34 beta; Karpenter v1.8 counts them): pod-level cpu and memory
    // replace the containers' sum; the overhead is added after.
    [
      'pod-level requests replace the containers',
      {
        resources: { requests: { cpu: '6', memory: '8Gi' } },
        containers: [{ name: 'a' }, { name: 'b', resources: { requests: { cpu: '1' } } }],
        overhead: { cpu: '100m' },
      },
      { ...NO_REQUESTS, cpuMillis: 6100, memoryMiB: 8192 },
    ],
    [
      'pod-level limits stand for requests when no container requests the resource',
      {
        resources: { limits: { cpu: '2', memory: '1Gi' } },
        containers: [{ name: 'a', resources: { requests: { memory: '256Mi' } } }],
      },
      { ...NO_REQUESTS, cpuMillis: 2000, memoryMiB: 256 },
    ],
    [
      'pod-level resources leave the other resources to the containers',
      {
        resources: { requests: { cpu: '4' } },
        containers: [
          { name: 'a', resources: { limits: { 'nvidia.com/gpu': '1' }, requests: { memory: '1Gi' } } },
        ],
      },
      { ...NO_REQUESTS, cpuMillis: 4000, memoryMiB: 1024, nvidiaGpu: 1 },
    ],
  ])('%s', (_what, spec, expected) => {
    expect(podRequests(spec)).toEqual(expected);
  });
});

/** The sum as it reads: each of the seven resources looked up through containerRequest. */
function reference(spec: V1PodSpec): PodRequests {
  const sum = (cs: V1Container[]): PodRequests => {
    const out = { ...NO_REQUESTS };
    for (const c of cs) {
      out.cpuMillis += cpuMillis(containerRequest(c, 'cpu')) ?? 0;
      out.memoryMiB += memoryMiB(containerRequest(c, 'memory')) ?? 0;
      out.ephemeralMiB += memoryMiB(containerRequest(c, 'ephemeral-storage')) ?? 0;
      for (const k of ACCELERATOR_KEYS) out[k] += parseQuantity(containerRequest(c, ACCELERATORS[k])) ?? 0;
    }
    return out;
  };
  const init = spec.initContainers ?? [];
  const app = sum([...spec.containers, ...init.filter((c) => c.restartPolicy === 'Always')]);
  init.forEach((c, i) => {
    if (c.restartPolicy === 'Always') return;
    // An init container runs beside the sidecars started before it.
    const one = sum([c, ...init.slice(0, i).filter((b) => b.restartPolicy === 'Always')]);
    for (const k of Object.keys(app) as (keyof PodRequests)[]) app[k] = Math.max(app[k], one[k]);
  });
  app.cpuMillis += cpuMillis(spec.overhead?.cpu) ?? 0;
  app.memoryMiB += memoryMiB(spec.overhead?.memory) ?? 0;
  app.ephemeralMiB += memoryMiB(spec.overhead?.['ephemeral-storage']) ?? 0;
  return app;
}

describe('podRequests walks the keys a container has', () => {
  it('answers as the lookup of every resource through containerRequest, over 2,000 seeded specs', () => {
    let seed = 20261124;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const names = ['cpu', 'memory', 'ephemeral-storage', 'hugepages-2Mi', ...Object.values(ACCELERATORS)];
    const values: (string | number | null)[] = ['100m', '1', '2Gi', '512Mi', '1.5', 3, null, '0'];
    const resources = () => {
      const out: Record<string, string | number | null> = {};
      for (const n of names) if (rnd(3) === 0) out[n] = values[rnd(values.length)] ?? null;
      return out;
    };
    const container = (i: number): V1Container => {
      const c: V1Container = { name: `c${i}` };
      const r = rnd(4);
      if (r > 0) c.resources = {};
      if (c.resources && r !== 2) c.resources.requests = resources() as Record<string, string>;
      if (c.resources && r !== 1) c.resources.limits = resources() as Record<string, string>;
      if (rnd(3) === 0) c.restartPolicy = 'Always';
      return c;
    };
    for (let n = 0; n < 2000; n++) {
      const spec: V1PodSpec = { containers: [...Array(1 + rnd(3)).keys()].map(container) };
      if (rnd(2) === 0) spec.initContainers = [...Array(1 + rnd(3)).keys()].map((i) => container(10 + i));
      if (rnd(4) === 0) spec.overhead = { cpu: '250m', memory: '64Mi' };
      expect(podRequests(spec)).toEqual(reference(spec));
    }
  });
});
