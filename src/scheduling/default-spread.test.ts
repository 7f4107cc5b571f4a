import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { defaultSelector, spreadWorldOf, withDefaultSpread } from './default-spread.js';

const ZONE = { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' };

const deployment = (spread?: object[]): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps' },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web', tier: 'front' } },
      spec: {
        containers: [{ name: 'c', image: 'nginx' }],
        ...(spread ? { topologySpreadConstraints: spread } : {}),
      },
    },
  },
});
const service = (name: string, selector: Record<string, string> | null, namespace = 'apps'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: selector === null ? {} : { selector },
});
const spreadOf = (o: KubeObject) =>
  ((o.spec as { template: { spec: { topologySpreadConstraints?: unknown } } }).template.spec
    .topologySpreadConstraints ?? []) as { labelSelector: unknown }[];

// k8s.io/kubernetes pkg/scheduler/framework/plugins/helper DefaultSelector, as Karpenter v1.15.0's
// DefaultTopologySpreadInjector deduces it (provisioning/scheduling/defaultconstraints.go).
describe('defaultSelector', () => {
  it.each([
    [
      'the matching Services merged, then the controller (a ReplicaSet: requirements)',
      [service('web', { app: 'web' }), service('front', { tier: 'front' }), service('other', { app: 'db' })],
      {
        matchLabels: { app: 'web', tier: 'front' },
        matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }],
      },
    ],
    [
      'a Service without a selector adds nothing; an empty one matches but adds nothing',
      [service('none', null), service('all', {})],
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
    ],
    [
      "another namespace's Services are not read",
      [service('web', { app: 'web' }, 'other')],
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
    ],
  ])('%s', (_, services, want) => {
    const d = deployment();
    const w = spreadWorldOf([d, ...services], 'default');
    expect(defaultSelector(d, 'apps', { app: 'web', tier: 'front' }, w)).toEqual(want);
  });

  it("a pending Pod of a Deployment's ReplicaSet: the Deployment's selector and the pod-template-hash", () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-5d9c7b-abcde',
        namespace: 'apps',
        labels: { app: 'web', 'pod-template-hash': '5d9c7b' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9c7b', uid: 'u', controller: true },
        ],
      },
      spec: { containers: [] },
    };
    const w = spreadWorldOf([deployment(), pod], 'default');
    expect(defaultSelector(pod, 'apps', pod.metadata?.labels ?? {}, w)).toEqual({
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['web'] },
        { key: 'pod-template-hash', operator: 'In', values: ['5d9c7b'] },
      ],
    });
  });

  it('a Job, a bare Pod with no Service: no selector, so no default (upstream: selector.Empty())', () => {
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: 'apps' },
      spec: { template: { metadata: { labels: { app: 'j' } }, spec: { containers: [] } } },
    };
    expect(defaultSelector(job, 'apps', { app: 'j' }, spreadWorldOf([job], 'default'))).toBeUndefined();
  });
});

describe('withDefaultSpread', () => {
  it('stamps each default with the deduced selector on a template that declares none', () => {
    const out = withDefaultSpread(deployment(), 'default', [ZONE], spreadWorldOf([], 'default'));
    expect(spreadOf(out)).toEqual([
      { ...ZONE, labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } },
    ]);
  });

  it("leaves a template with its own constraints alone (all or nothing), and never changes the caller's object", () => {
    const own = deployment([
      { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' },
    ]);
    expect(withDefaultSpread(own, 'default', [ZONE], spreadWorldOf([], 'default'))).toBe(own);
    const plain = deployment();
    withDefaultSpread(plain, 'default', [ZONE], spreadWorldOf([], 'default'));
    expect(spreadOf(plain)).toEqual([]);
  });
});
