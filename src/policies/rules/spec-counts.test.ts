import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { countErrors } from './spec-counts.js';

const obj = (kind: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name: 'x', namespace: 'shop' },
  spec,
});

// k8s.io/kubernetes pkg/apis/apps/validation (replicas), pkg/apis/policy/validation
// ValidatePodDisruptionBudgetSpec, pkg/apis/autoscaling/validation validateHorizontalPodAutoscalerSpec.
describe('countErrors', () => {
  it.each([
    [
      'Deployment',
      { replicas: -1 },
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    ['StatefulSet', { replicas: 0 }, []],
    [
      'PodDisruptionBudget',
      { minAvailable: 1, maxUnavailable: 1 },
      ['spec: Invalid value: minAvailable and maxUnavailable cannot be both set'],
    ],
    [
      'PodDisruptionBudget',
      { minAvailable: '120%' },
      ['spec.minAvailable: Invalid value: "120%": must not be greater than 100%'],
    ],
    [
      'PodDisruptionBudget',
      { maxUnavailable: -1 },
      ['spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'PodDisruptionBudget',
      { minAvailable: 'abc' },
      [
        `spec.minAvailable: Invalid value: "abc": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      ],
    ],
    ['PodDisruptionBudget', { maxUnavailable: '0%' }, []],
    [
      'HorizontalPodAutoscaler',
      { minReplicas: 0, maxReplicas: 3 },
      ['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1'],
    ],
    [
      'HorizontalPodAutoscaler',
      { minReplicas: 3, maxReplicas: 1 },
      ['spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`'],
    ],
    [
      'HorizontalPodAutoscaler',
      { maxReplicas: 0 },
      ['spec.maxReplicas: Invalid value: 0: must be greater than 0'],
    ],
    ['HorizontalPodAutoscaler', { minReplicas: 5, maxReplicas: 5 }, []],
  ])('%s %j', (kind, spec, want) => {
    expect(countErrors(obj(kind, spec))).toEqual(want);
  });
});
