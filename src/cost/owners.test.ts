import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { ownerIndex } from './owners.js';

const obj = (kind: string, name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace: 'shop' },
  ...extra,
});
const templated = (kind: string, name: string, runtimeClass: string): KubeObject =>
  obj(kind, name, {
    spec: { template: { metadata: { labels: { 'berth.dev/runtime-class': runtimeClass } } } },
  });

describe('ownerIndex: the workload Kubernetes names as owner', () => {
  it.each([
    // The usual layout: a Deployment and its PDB, HPA, Service and profile share a name; read in any order.
    [
      'PDB, HPA, Service and profile after the Deployment',
      [
        templated('Deployment', 'storefront', 'general'),
        obj('PodDisruptionBudget', 'storefront'),
        obj('HorizontalPodAutoscaler', 'storefront'),
        obj('Service', 'storefront'),
        obj('WorkloadProfile', 'storefront'),
      ],
      { workload: 'Deployment/storefront', runtimeClass: 'general' },
    ],
    [
      'PDB, HPA and Service before the Deployment',
      [
        obj('Service', 'storefront'),
        obj('HorizontalPodAutoscaler', 'storefront'),
        obj('PodDisruptionBudget', 'storefront'),
        templated('Deployment', 'storefront', 'general'),
      ],
      { workload: 'Deployment/storefront', runtimeClass: 'general' },
    ],
    [
      'a StatefulSet beside its headless Service and PDB',
      [
        obj('Service', 'storefront'),
        templated('StatefulSet', 'storefront', 'memory'),
        obj('PodDisruptionBudget', 'storefront'),
      ],
      { workload: 'StatefulSet/storefront', runtimeClass: 'memory' },
    ],
    [
      'a CronJob: the class from its job template',
      [
        obj('CronJob', 'storefront', {
          spec: {
            jobTemplate: {
              spec: { template: { metadata: { labels: { 'berth.dev/runtime-class': 'batch' } } } },
            },
          },
        }),
      ],
      { workload: 'CronJob/storefront', runtimeClass: 'batch' },
    ],
  ] as const)('%s', (_what, objects, want) => {
    expect(ownerIndex(objects).get('shop/storefront')).toEqual(want);
  });

  it('charges a controlled ReplicaSet to its Deployment (ownerReferences), with the Deployment’s class', () => {
    const rs = obj('ReplicaSet', 'storefront-5d8f7', {
      metadata: {
        name: 'storefront-5d8f7',
        namespace: 'shop',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'storefront', uid: 'u', controller: true },
        ],
      },
    });
    const owners = ownerIndex([rs, templated('Deployment', 'storefront', 'general')]);
    expect(owners.get('shop/storefront-5d8f7')).toEqual({
      workload: 'Deployment/storefront',
      runtimeClass: 'general',
    });
  });

  it('never charges a PDB, HPA or Service alone', () => {
    expect(
      ownerIndex([obj('PodDisruptionBudget', 'x'), obj('HorizontalPodAutoscaler', 'x'), obj('Service', 'x')])
        .size,
    ).toBe(0);
  });
});
