/**
 * boundPodRequests pins k8s.io/component-helpers resource.PodRequests (v0.37.2) with
 * UseStatusResources and InPlacePodLevelResourcesVerticalScalingEnabled, as kube-scheduler's
 * PodInfo.CalculateResource calls it (pkg/scheduler/framework/types.go): AggregateContainerRequests
 * takes max(spec, actuated, allocated), or max(actuated, allocated) when IsPodResizeInfeasible.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { boundPodRequests, isResizeInfeasible, resizePending } from './pod-resize.js';

type Status = NonNullable<V1Pod['status']>;

const pod = (cpu: string, status: Status = {}, more: Partial<NonNullable<V1Pod['spec']>> = {}): V1Pod => ({
  metadata: { name: 'p', namespace: 'ns' },
  spec: {
    containers: [{ name: 'app', image: 'x', resources: { requests: { cpu, memory: '1Gi' } } }],
    ...more,
  },
  status,
});
const running = (allocated: string, actual = allocated, conditions: Status['conditions'] = []): Status => ({
  phase: 'Running',
  conditions,
  containerStatuses: [
    {
      name: 'app',
      image: 'x',
      imageID: '',
      ready: true,
      restartCount: 0,
      allocatedResources: { cpu: allocated, memory: '1Gi' },
      resources: { requests: { cpu: actual, memory: '1Gi' } },
    },
  ],
});
const pending = (reason: string) => [{ type: 'PodResizePending', status: 'True', reason, message: 'm' }];

describe('boundPodRequests: what kube-scheduler counts for a bound pod', () => {
  it.each<[string, V1Pod, number]>([
    ['no status: the spec', pod('500m'), 500],
    ['a resize down in progress: the 1500m still allocated and actual', pod('500m', running('1500m')), 1500],
    [
      'a resize down allocated, not yet actuated: the 1500m actual',
      pod('500m', running('500m', '1500m')),
      1500,
    ],
    ['a resize up Deferred: the 3 CPUs asked', pod('3', running('500m', '500m', pending('Deferred'))), 3000],
    [
      'a resize up Infeasible: the 500m allocated, not the ask',
      pod('3', running('500m', '500m', pending('Infeasible'))),
      500,
    ],
    [
      'Infeasible without container statuses: nothing allocated is known',
      pod('3', { conditions: pending('Infeasible') }),
      0,
    ],
  ])('%s', (_, p, cpu) => {
    expect(boundPodRequests(p).cpuMillis).toBe(cpu);
  });

  it('counts a native sidecar’s allocated resources as kube-scheduler sums sidecars', () => {
    const p = pod('500m', {
      containerStatuses: running('500m').containerStatuses ?? [],
      initContainerStatuses: [
        {
          name: 'proxy',
          image: 'x',
          imageID: '',
          ready: true,
          restartCount: 0,
          allocatedResources: { cpu: '700m' },
        },
      ],
    });
    const spec = p.spec ?? { containers: [] };
    spec.initContainers = [
      { name: 'proxy', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } },
    ];
    expect(boundPodRequests(p).cpuMillis).toBe(1200);
  });

  it('pod-level resources: max(spec, status.resources, status.allocatedResources) (effectivePodLevelResources)', () => {
    const p = pod('100m', {}, { resources: { requests: { cpu: '1' } } });
    expect(boundPodRequests(p).cpuMillis).toBe(1000);
    (p.status as Record<string, unknown>).allocatedResources = { cpu: '2' };
    (p.status as Record<string, unknown>).resources = { requests: { cpu: '2' } };
    expect(boundPodRequests(p).cpuMillis).toBe(2000);
  });

  it('reads the PodResizePending condition', () => {
    const p = pod('3', running('500m', '500m', pending('Infeasible')));
    expect(isResizeInfeasible(p)).toBe(true);
    expect(resizePending(p)).toEqual({ reason: 'Infeasible', message: 'm' });
    expect(resizePending(pod('1'))).toBeUndefined();
  });
});
