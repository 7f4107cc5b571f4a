import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import {
  bufferPods,
  bufferReplicas,
  FAKE_POD_ANNOTATION,
  isVirtualPod,
  limitReplicas,
  percentageReplicas,
  resolveBuffer,
  virtualPods,
  VIRTUAL_POD_PRIORITY,
  type CapacityBuffer,
  type CapacityBufferSpec,
} from './capacity-buffer.js';

const chunk: V1PodTemplateSpec = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '500m', memory: '1Gi' } } }],
  },
};
const buffer = (spec: CapacityBufferSpec, name = 'headroom'): CapacityBuffer => ({
  apiVersion: 'autoscaling.x-k8s.io/v1beta1',
  kind: 'CapacityBuffer',
  metadata: { name, namespace: 'shop', uid: 'u1' },
  spec,
});
const podTemplate: KubeObject = {
  apiVersion: 'v1',
  kind: 'PodTemplate',
  metadata: { name: 'chunk', namespace: 'shop' },
  template: chunk,
};
const deployment = (replicas: number, kind = 'Deployment'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'web', namespace: 'shop' },
  spec: { replicas, template: chunk },
});

// Karpenter v1.14.1 pkg/controllers/capacitybuffer: computeReplicas, calculateLimitReplicas,
// calculatePercentageReplicas (Cluster Autoscaler's semantics).
describe('how many chunks a buffer stands for', () => {
  it.each([
    ['replicas alone', { replicas: 3 }, undefined, 3],
    ['percentage alone', {}, 4, 4],
    ['the larger of replicas and percentage', { replicas: 3 }, 5, 5],
    ['limits cap them', { replicas: 10, limits: { cpu: '2' } }, undefined, 4],
    ['limits alone: as many as fit', { limits: { cpu: '2', memory: '3Gi' } }, undefined, 3],
    [
      'limits on a resource the pod does not ask for constrain nothing',
      { replicas: 2, limits: { 'nvidia.com/gpu': 4 } },
      undefined,
      2,
    ],
    ['nothing set: none', {}, undefined, 0],
  ])('%s', (_what, spec: CapacityBufferSpec, pct, want) => {
    expect(bufferReplicas(spec, chunk, pct)).toBe(want);
  });

  it.each([
    [10, 20, 2],
    [10, 25, 3],
    [3, 1, 1],
    [0, 50, 0],
    [10, 0, 0],
  ])('percentage of %i replicas at %i%%: %i', (scalable, pct, want) => {
    expect(percentageReplicas(scalable, pct)).toBe(want);
  });

  it('limitReplicas: the fewest over the resources both limited and asked for', () => {
    expect(limitReplicas({ cpu: '1500m', memory: '10Gi' }, chunk)).toBe(3);
    expect(limitReplicas({ pods: '10' }, chunk)).toBeUndefined();
  });
});

describe('resolveBuffer', () => {
  it('takes the shape of its PodTemplate', () => {
    const r = resolveBuffer(buffer({ podTemplateRef: { name: 'chunk' }, replicas: 2 }), [podTemplate]);
    expect(r).toEqual({ ok: true, template: chunk, replicas: 2, podTemplate: 'chunk' });
  });

  it.each(['Deployment', 'StatefulSet', 'ReplicaSet'])(
    'takes a %s’s, and a percentage of its replicas',
    (kind) => {
      const r = resolveBuffer(buffer({ scalableRef: { kind, name: 'web' }, percentage: 20 }), [
        deployment(12, kind),
      ]);
      expect(r).toMatchObject({ ok: true, replicas: 3 });
    },
  );

  it.each([
    [
      { podTemplateRef: { name: 'gone' }, replicas: 1 },
      'PodTemplateNotFound',
      'PodTemplate shop/gone not found',
    ],
    [
      { scalableRef: { kind: 'Deployment', name: 'gone' } },
      'ScalableRefNotFound',
      'Deployment shop/gone not found',
    ],
    [{ scalableRef: { kind: 'Job', name: 'web' } }, 'ResolutionFailed', 'unsupported kind "Job"'],
    [
      { scalableRef: { apiGroup: 'batch', kind: 'Deployment', name: 'web' } },
      'ResolutionFailed',
      'unsupported scalableRef API group "batch"',
    ],
    [{ replicas: 1 }, 'ResolutionFailed', 'Neither podTemplateRef nor scalableRef is set'],
  ])('%j: %s', (spec, reason, message) => {
    expect(resolveBuffer(buffer(spec), [podTemplate, deployment(3)])).toEqual({ ok: false, reason, message });
  });

  it('looks only in its own namespace', () => {
    const elsewhere = { ...podTemplate, metadata: { name: 'chunk', namespace: 'other' } };
    expect(resolveBuffer(buffer({ podTemplateRef: { name: 'chunk' }, replicas: 1 }), [elsewhere]).ok).toBe(
      false,
    );
  });
});

describe('virtual pods (BuildVirtualPods)', () => {
  it('one per chunk, named, labelled and marked as Karpenter marks them, at the lowest priority', () => {
    const pods = bufferPods([buffer({ podTemplateRef: { name: 'chunk' }, replicas: 2 })], [podTemplate]);
    expect(pods.map((p) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`)).toEqual([
      'shop/capacity-buffer-headroom-1',
      'shop/capacity-buffer-headroom-2',
    ]);
    expect(pods[0]?.metadata?.labels).toEqual({ app: 'web' });
    expect(pods[0]?.metadata?.annotations).toEqual({
      [FAKE_POD_ANNOTATION]: 'true',
      'karpenter.sh/capacity-buffer-name': 'headroom',
      'karpenter.sh/capacity-buffer-namespace': 'shop',
    });
    expect(pods[0]?.spec?.priority).toBe(VIRTUAL_POD_PRIORITY);
    expect(pods[0]?.spec?.nodeName).toBeUndefined();
    expect(pods.every(isVirtualPod)).toBe(true);
  });

  it('drops volumes that need a claim, and their mounts', () => {
    const withVolumes: V1PodTemplateSpec = {
      spec: {
        containers: [
          {
            name: 'c',
            image: 'x',
            volumeMounts: [
              { name: 'data', mountPath: '/d' },
              { name: 'cfg', mountPath: '/c' },
            ],
          },
        ],
        volumes: [
          { name: 'data', persistentVolumeClaim: { claimName: 'd' } },
          { name: 'cfg', configMap: { name: 'c' } },
        ],
      },
    };
    const [p] = virtualPods(buffer({ replicas: 1 }), { ok: true, template: withVolumes, replicas: 1 });
    expect(p?.spec?.volumes?.map((v) => v.name)).toEqual(['cfg']);
    expect(p?.spec?.containers[0]?.volumeMounts?.map((m) => m.name)).toEqual(['cfg']);
  });

  it('none for a buffer that does not resolve, or of another provisioning strategy', () => {
    expect(bufferPods([buffer({ podTemplateRef: { name: 'gone' }, replicas: 2 })], [podTemplate])).toEqual(
      [],
    );
    expect(
      bufferPods(
        [
          buffer({
            podTemplateRef: { name: 'chunk' },
            replicas: 2,
            provisioningStrategy: 'example.com/passive',
          }),
        ],
        [podTemplate],
      ),
    ).toEqual([]);
  });
});
