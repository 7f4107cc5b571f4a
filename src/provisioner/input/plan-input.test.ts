import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { solverInputOf } from './plan-input.js';

const deployment = (replicas?: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace: 'podinfo' },
  spec: {
    ...(replicas === undefined ? {} : { replicas }),
    selector: { matchLabels: { app: 'podinfo' } },
    template: {
      metadata: { labels: { app: 'podinfo' } },
      spec: { containers: [{ name: 'c', resources: { limits: { cpu: '2', memory: '512Mi' } } }] },
    },
  },
});
const hpa = (minReplicas?: number): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'podinfo', namespace: 'podinfo' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    maxReplicas: 3,
    ...(minReplicas === undefined ? {} : { minReplicas }),
  },
});

function plannedPods(objects: KubeObject[]): string[] {
  return solverInputOf({
    objects,
    cluster: [],
    nodePools: [],
    catalog: builtinCatalog(),
    defaultNamespace: 'default',
  }).pods.map((p) => p.id);
}

describe('berth plan counts what runs', () => {
  it.each<[string, KubeObject[], number]>([
    ['no replicas, no HPA: 1', [deployment()], 1],
    ["no replicas, an HPA's minReplicas 2: 2", [deployment(), hpa(2)], 2],
    ['an HPA without minReplicas: its default, 1', [deployment(), hpa()], 1],
    ['more replicas than the HPA minimum: the replicas', [deployment(4), hpa(2)], 4],
  ])('%s', (_what, objects, n) => {
    expect(plannedPods(objects)).toHaveLength(n);
  });

  it('counts requests defaulted from limits', () => {
    const input = solverInputOf({
      objects: [deployment(1)],
      cluster: [],
      nodePools: [],
      catalog: builtinCatalog(),
      defaultNamespace: 'default',
    });
    expect(input.pods[0]?.requests).toMatchObject({ cpu: 2000, mem: 512 });
  });

  it('plans no pods for a CronJob: they run on its schedule, not all day', () => {
    const cron: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'jobs' },
      spec: {
        schedule: '0 1 * * *',
        jobTemplate: { spec: { parallelism: 4, template: { spec: { containers: [{ name: 'c' }] } } } },
      },
    };
    expect(plannedPods([cron])).toEqual([]);
  });
});
