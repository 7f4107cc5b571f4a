import { describe, expect, it } from 'vitest';
import { validateKubeletConfig } from './kubelet-validation.js';

// aws/karpenter-provider-aws v1.15.2 pkg/apis/v1 ValidateKubeletConfig (its
// kubeletconfiguration_validation_test.go cases), messages word for word.
describe('validateKubeletConfig', () => {
  it.each([
    ['an empty configuration', {}],
    ['no configuration', undefined],
    [
      'the fields Karpenter reads for scheduling',
      {
        maxPods: 110,
        podsPerCore: 10,
        kubeReserved: { cpu: '200m', memory: '100Mi' },
        systemReserved: { 'ephemeral-storage': '1Gi', pid: '1000' },
        evictionHard: { 'memory.available': '5%' },
      },
    ],
    ['a field only the kubelet library knows about', { serializeImagePulls: false }],
    ['a nested subtree', { logging: { format: 'json', flushFrequency: '5s' } }],
    ['an eviction threshold as a quantity', { evictionHard: { 'nodefs.available': '500Mi' } }],
    [
      'matching evictionSoft and evictionSoftGracePeriod',
      { evictionSoft: { 'memory.available': '10%' }, evictionSoftGracePeriod: { 'memory.available': '1m' } },
    ],
    ['imageGC thresholds in order', { imageGCHighThresholdPercent: 80, imageGCLowThresholdPercent: 60 }],
    ['zero-valued fields', { maxPods: 0, podsPerCore: 0, evictionMaxPodGracePeriod: 0 }],
    ['a maxPods expression', { maxPods: 'vcpus * 10', podsPerCore: 10 }],
    ['a kubeReserved expression', { kubeReserved: { memory: 'memory_mib / 10' } }],
  ])('accepts %s', (_, kubelet) => {
    expect(validateKubeletConfig(kubelet)).toEqual([]);
  });

  it.each([
    ['an unknown field', { notAKubeletField: true }, ['spec.kubelet: unknown field "notAKubeletField"']],
    [
      'a field with the wrong type (alone: it fails the decode)',
      { podsPerCore: 'ten', alsoUnknown: 1 },
      [
        'spec.kubelet: json: cannot unmarshal string into Go struct field KubeletConfiguration.podsPerCore of type int32',
      ],
    ],
    [
      'clusterDNS as a string',
      { clusterDNS: '10.0.0.10' },
      [
        'spec.kubelet: json: cannot unmarshal string into Go struct field KubeletConfiguration.clusterDNS of type []string',
      ],
    ],
    [
      'maxPods as a bool',
      { maxPods: true },
      [
        'spec.kubelet: json: cannot unmarshal bool into Go struct field KubeletConfiguration.maxPods of type int32',
      ],
    ],
    [
      'kubeReserved with a number',
      { kubeReserved: { cpu: 1 } },
      [
        'spec.kubelet: json: cannot unmarshal number into Go struct field KubeletConfiguration.kubeReserved of type string',
      ],
    ],
    [
      'registerWithTaints, which Karpenter sets',
      { registerWithTaints: [] },
      [
        "spec.kubelet.registerWithTaints: can't be set, Karpenter sets it from the NodeClaim's taints so the node registers unschedulable until it's ready",
      ],
    ],
    [
      'an unknown eviction signal and a bad threshold',
      { evictionHard: { 'memory.free': '5%', 'nodefs.available': '120%' } },
      [
        'spec.kubelet.evictionHard: "memory.free" isn\'t a valid eviction signal, must be one of memory.available, nodefs.available, nodefs.inodesFree, imagefs.available, imagefs.inodesFree, pid.available',
        'spec.kubelet.evictionHard[nodefs.available]: "120%" must be a percentage or a resource quantity',
      ],
    ],
    [
      'evictionSoft without its grace period',
      { evictionSoft: { 'memory.available': '10%' } },
      ['spec.kubelet.evictionSoft[memory.available]: has no matching evictionSoftGracePeriod'],
    ],
    [
      'a grace period that is not a duration',
      {
        evictionSoft: { 'memory.available': '10%' },
        evictionSoftGracePeriod: { 'memory.available': 'soon' },
      },
      ['spec.kubelet.evictionSoftGracePeriod[memory.available]: "soon" must be a duration'],
    ],
    [
      'a reservation of something the kubelet cannot reserve, and a negative one',
      { kubeReserved: { gpu: '1', memory: '-1Gi' } },
      [
        'spec.kubelet.kubeReserved: "gpu" isn\'t a reservable resource, must be one of cpu, memory, ephemeral-storage, pid',
        'spec.kubelet.kubeReserved[memory]: "-1Gi" can\'t be a negative resource quantity',
      ],
    ],
    [
      'imageGC thresholds out of range and inverted',
      { imageGCHighThresholdPercent: 101, imageGCLowThresholdPercent: 50 },
      ['spec.kubelet.imageGCHighThresholdPercent: 101 must be between 0 and 100'],
    ],
    [
      'inverted imageGC thresholds',
      { imageGCHighThresholdPercent: 60, imageGCLowThresholdPercent: 80 },
      ['spec.kubelet: imageGCHighThresholdPercent (60) must be greater than imageGCLowThresholdPercent (80)'],
    ],
    ['a negative podsPerCore', { podsPerCore: -1 }, ["spec.kubelet.podsPerCore: -1 can't be negative"]],
  ])('refuses %s', (_, kubelet, errors) => {
    expect(validateKubeletConfig(kubelet)).toEqual(errors);
  });
});
