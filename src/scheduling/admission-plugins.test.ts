import { describe, expect, it } from 'vitest';
import { admittedPodSpec, extendedResourceTolerations, isExtendedResource } from './admission-plugins.js';

describe('ExtendedResourceToleration, as EKS runs it', () => {
  it.each([
    ['nvidia.com/gpu', true],
    ['amd.com/gpu', true],
    ['aws.amazon.com/neuron', true],
    ['vpc.amazonaws.com/pod-eni', true],
    ['cpu', false],
    ['hugepages-2Mi', false],
    ['kubernetes.io/something', false],
    ['example.kubernetes.io/x', false],
    ['requests.nvidia.com/gpu', false],
  ])('%s is an extended resource: %s', (name, extended) => {
    expect(isExtendedResource(name)).toBe(extended);
  });

  it('adds one toleration per extended resource any container or init container asks for, by request or by limit', () => {
    const added = extendedResourceTolerations({
      initContainers: [{ name: 'i', resources: { requests: { 'aws.amazon.com/neuron': '1' } } }],
      containers: [
        { name: 'a', resources: { limits: { 'nvidia.com/gpu': '1', memory: '1Gi' } } },
        { name: 'b', resources: { requests: { 'nvidia.com/gpu': '1' } } },
      ],
    });
    expect(added).toEqual([
      { key: 'aws.amazon.com/neuron', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('adds nothing the pod already tolerates, and nothing when the plugin is off', () => {
    const spec = {
      containers: [{ name: 'a', resources: { limits: { 'nvidia.com/gpu': '1' } } }],
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    };
    expect(admittedPodSpec(spec, ['ExtendedResourceToleration'])).toBe(spec);
    const bare = { containers: [{ name: 'a', resources: { limits: { 'nvidia.com/gpu': '1' } } }] };
    expect(admittedPodSpec(bare, [])).toBe(bare);
    expect(admittedPodSpec(bare, ['ExtendedResourceToleration']).tolerations).toHaveLength(1);
  });
});
