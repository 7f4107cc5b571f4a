import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import { expandGroups } from '../solver/model.js';
import { AdmissionFeed, demandOf, waitingPods, type Demand } from './demand.js';

const ids = (d: Demand): string[] => [...d.pods, ...expandGroups(d.groups)].map((p) => p.id);

const spec = { containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '1Gi' } } }] };

function pod(name: string, extra: Partial<V1Pod> & { nodeName?: string } = {}): V1Pod {
  const { nodeName, ...rest } = extra;
  return {
    metadata: { name, namespace: 'apps', labels: { app: 'web' } },
    spec: { ...spec, ...(nodeName === undefined ? {} : { nodeName }) },
    status: { phase: 'Pending' },
    ...rest,
  };
}

const web = (replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'apps' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec },
  },
});

describe('what the provisioner plans for', () => {
  it.each([
    ['an unbound pending pod', pod('a'), true],
    ['a bound pod', pod('b', { nodeName: 'n1' }), false],
    ['a pod being deleted', pod('c', { metadata: { name: 'c', deletionTimestamp: new Date() } }), false],
    ['a finished pod', pod('d', { status: { phase: 'Succeeded' } }), false],
    [
      "a DaemonSet's pod",
      pod('e', {
        metadata: {
          name: 'e',
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'x', uid: '1', controller: true },
          ],
        },
      }),
      false,
    ],
  ])('%s waits: %s', (_what, p, waits) => {
    expect(waitingPods([p]).length).toBe(waits ? 1 : 0);
  });

  it('plans a fed workload for the replicas its live pods do not cover, never twice', () => {
    const fed = [{ object: web(5), at: 0 }];
    expect(ids(demandOf([], fed))).toEqual([
      'apps/web-0',
      'apps/web-1',
      'apps/web-2',
      'apps/web-3',
      'apps/web-4',
    ]);
    // Two pods exist (one bound, one waiting): the waiting one plus three replicas not yet created.
    const pods = [pod('web-x', { nodeName: 'n1' }), pod('web-y')];
    expect(ids(demandOf(pods, fed))).toEqual(['apps/web-y', 'apps/web-2', 'apps/web-3', 'apps/web-4']);
    // All five exist: only the waiting ones.
    const all = ['p', 'q', 'r', 's'].map((n) => pod(n, { nodeName: 'n1' }));
    expect(ids(demandOf([...all, pod('t')], fed))).toEqual(['apps/t']);
  });

  it('forgets fed workloads after the TTL and keeps the latest shape per workload', () => {
    const feed = new AdmissionFeed(1000);
    feed.record(web(3), 0);
    feed.record(web(7), 500);
    expect(feed.current(1000).map((a) => a.object.spec)).toMatchObject([{ replicas: 7 }]);
    expect(feed.current(1501)).toEqual([]);
  });

  it('says whether a recorded shape is news: new, changed, or only admitted again', () => {
    const feed = new AdmissionFeed(1000);
    expect(feed.record(web(3), 0)).toBe(true);
    expect(feed.record(structuredClone(web(3)), 100)).toBe(false);
    expect(feed.record(web(4), 200)).toBe(true);
    const relabelled = web(4);
    relabelled.metadata = { name: 'web', namespace: 'apps', labels: { tier: 'gold' } };
    expect(feed.record(relabelled, 300)).toBe(true);
    // Admitted again, it stays planned for the TTL from its latest admission.
    expect(feed.record(structuredClone(relabelled), 900)).toBe(false);
    expect(feed.current(1800)).toHaveLength(1);
    feed.forget(relabelled);
    expect(feed.record(structuredClone(relabelled), 1900)).toBe(true);
  });

  it('plans a huge workload as one group, within its cap and the round bound', () => {
    const huge = [{ object: web(2_147_483_647), at: 0 }];
    const capped = demandOf([pod('w1', { nodeName: 'n1' })], huge, {
      maxPods: 100,
      replicaCap: () => ({ max: 50, why: 'profile web allows at most 50 replicas' }),
    });
    expect(capped.groups).toHaveLength(1);
    expect(capped.groups[0]).toMatchObject({ from: 1, count: 49 });
    expect(capped.capped).toEqual([
      {
        workload: huge[0]?.object,
        asked: 2_147_483_647,
        planned: 50,
        why: 'profile web allows at most 50 replicas',
      },
    ]);
    expect(capped.deferred).toBe(0);
    // No cap: the round bound takes 100 and says how many wait.
    const bounded = demandOf([pod('x')], huge, { maxPods: 100 });
    expect(bounded.pods.map((p) => p.id)).toEqual(['apps/x']);
    expect(bounded.groups[0]?.count).toBe(99);
    expect(bounded.deferred).toBe(2_147_483_647 - 1 - 99); // pod x is one of its replicas
    expect(bounded.deferredFrom).toEqual([huge[0]?.object]);
  });

  it('defers waiting pods past the round bound too', () => {
    const d = demandOf(
      ['a', 'b', 'c'].map((n) => pod(n)),
      [],
      { maxPods: 2 },
    );
    expect(d.pods.map((p) => p.id)).toEqual(['apps/a', 'apps/b']);
    expect(d.deferred).toBe(1);
  });
});
