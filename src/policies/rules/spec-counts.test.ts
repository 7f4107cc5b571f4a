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
      // Kubernetes 1.37, HPAScaleToZero on: 0 needs an Object or External metric.
      [
        'spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas',
      ],
    ],
    [
      'HorizontalPodAutoscaler',
      { minReplicas: 0, maxReplicas: 3, metrics: [{ type: 'External', external: {} }] },
      [],
    ],
    [
      'HorizontalPodAutoscaler',
      { minReplicas: -1, maxReplicas: 3 },
      ['spec.minReplicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'HorizontalPodAutoscaler',
      { minReplicas: 3, maxReplicas: 1 },
      ['spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`'],
    ],
    [
      'HorizontalPodAutoscaler',
      { maxReplicas: 0 },
      [
        'spec.maxReplicas: Required value: must be set and greater than 0',
        'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
      ],
    ],
    ['HorizontalPodAutoscaler', { minReplicas: 5, maxReplicas: 5 }, []],
    [
      'HorizontalPodAutoscaler',
      {
        maxReplicas: 2,
        scaleTargetRef: { kind: 'Deployment' },
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } },
          },
        ],
      },
      [
        'spec.scaleTargetRef.name: Required value',
        'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
      ],
    ],
    [
      'PodDisruptionBudget',
      { minAvailable: 1, unhealthyPodEvictionPolicy: 'Never' },
      [
        'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
      ],
    ],
    [
      'PodDisruptionBudget',
      { minAvailable: 1, selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] } },
      [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      ],
    ],
  ])('%s %j', (kind, spec, want) => {
    // An HPA's target is named unless the case is about it.
    const full =
      kind === 'HorizontalPodAutoscaler' && !('scaleTargetRef' in spec)
        ? { ...spec, scaleTargetRef: { kind: 'Deployment', name: 'web' } }
        : spec;
    expect(countErrors(obj(kind, full))).toEqual(want);
  });
});
