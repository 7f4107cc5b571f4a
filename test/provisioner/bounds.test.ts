import { describe, expect, it } from 'vitest';
import type { EventSpec } from '../../src/kube/events.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { boundedEvents } from '../../src/operator/duties/provisioning-wiring.js';
import { defaultPolicies } from '../../src/policies/policies.js';
import { StaticClusterView } from '../../src/policies/view.js';
import { poolView, type NodePool } from '../../src/scheduling/nodepool.js';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { replicaCap } from '../../src/provisioner/controller/bounds.js';
import { demandOf } from '../../src/provisioner/controller/demand.js';

const catalog = builtinCatalog();
const pool = (name: string, limits?: Record<string, string>): NodePool => ({
  metadata: { name },
  spec: { ...(limits ? { limits } : {}), template: { spec: {} } },
});

const workload = (labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps', labels },
  spec: {
    replicas: 2_147_483_647,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1', memory: '1Gi' } } }] },
    },
  },
});

const profile: KubeObject = {
  apiVersion: 'berth.dev/v1alpha1',
  kind: 'WorkloadProfile',
  metadata: { name: 'web', namespace: 'apps' },
  spec: { runtimeClass: 'general', scaling: { maxReplicas: 40 } },
};
const hpa: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'apps' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 25 },
};

function cap(objects: KubeObject[], pools: NodePool[]) {
  const view = new StaticClusterView(catalog, objects);
  return replicaCap(
    view,
    defaultPolicies,
    () => pools.map(poolView),
    () => catalog,
  );
}

describe('how many replicas of an admitted workload are worth planning', () => {
  it.each<
    [string, KubeObject[], NodePool[], Record<string, string>, { max: number; why: RegExp } | undefined]
  >([
    ['nothing bounds it: no profile, no HPA, pools without limits', [], [pool('a')], {}, undefined],
    [
      'its profile',
      [profile],
      [pool('a')],
      { 'berth.dev/profile': 'web' },
      { max: 40, why: /profile web allows at most 40/ },
    ],
    [
      'its HPA, when lower',
      [profile, hpa],
      [pool('a')],
      { 'berth.dev/profile': 'web' },
      { max: 25, why: /HPA web/ },
    ],
    [
      'the limits of every pool that fits it',
      [],
      [pool('a', { cpu: '100' }), pool('b', { cpu: '50', memory: '20Gi' })],
      {},
      { max: 120, why: /limits of NodePool a, b hold at most 120/ },
    ],
    [
      'no limit bound while one fitting pool has none',
      [],
      [pool('a', { cpu: '100' }), pool('b')],
      {},
      undefined,
    ],
  ])('%s', (_what, objects, pools, labels, expected) => {
    const got = cap(objects, pools)(workload(labels));
    if (expected === undefined) expect(got).toBeUndefined();
    else {
      expect(got?.max).toBe(expected.max);
      expect(got?.why).toMatch(expected.why);
    }
  });

  it('says so in Events on the workload: capped, and pods left for later rounds', () => {
    const w = workload({ 'berth.dev/profile': 'web' });
    const demand = demandOf([], [{ object: w, at: 0 }], {
      maxPods: 10,
      replicaCap: cap([profile], [pool('a')]),
    });
    const events: EventSpec[] = [];
    boundedEvents({ emit: (e) => events.push(e) })(demand);
    expect(events.map((e) => [e.reason, e.involved.name, e.message])).toEqual([
      [
        'ProvisioningCapped',
        'web',
        'planned capacity for 40 of 2147483647 replicas: profile web allows at most 40 replicas',
      ],
      [
        'ProvisioningDeferred',
        'web',
        'a provisioner round plans at most provisioner.maxPodsPerRound pods; 30 wait for the next rounds',
      ],
    ]);
  });

  it("plans at least an HPA's minReplicas for a workload that names no replicas", () => {
    const w = workload();
    delete (w.spec as { replicas?: number }).replicas;
    const scaler = { ...hpa, spec: { ...(hpa.spec as object), minReplicas: 3 } } as KubeObject;
    const demand = demandOf([], [{ object: w, at: 0 }], {
      maxPods: 100,
      replicaCap: cap([scaler], [pool('a')]),
    });
    expect(demand.groups[0]?.count).toBe(3);
    expect(demand.capped).toEqual([]);
  });
});
