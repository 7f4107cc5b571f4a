import { describe, expect, it } from 'vitest';
import type { V1PodSpec } from '@kubernetes/client-node';
import { NO_REQUESTS, podRequests, type PodRequests } from './resources.js';

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
  ])('%s', (_what, spec, expected) => {
    expect(podRequests(spec)).toEqual(expected);
  });
});
