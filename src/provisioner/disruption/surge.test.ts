import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pdb, pod } from '../../../test/support/cluster.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { Metrics } from '../../observability/metrics.js';
import { classify } from './candidates.js';
import { drainStep, type SurgeNote } from './drainer.js';
import type { NodeOps, SurgeStarted } from './node-ops.js';
import { pdbStates } from './pods.js';
import { fenceposts, MOVED_OFF, moveOf, surgeProgress, type SurgeView } from './surge.js';
import { pools } from '../../../test/support/disruption-cluster.js';

/** Deployment `web` (1 replica unless said) and its pod on node `a`, of runtime class `general`. */
function web(spec: Partial<NonNullable<V1Deployment['spec']>> = {}, cls = 'general') {
  const d: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', uid: 'd-uid', generation: 1 },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } },
      ...spec,
    },
    status: { observedGeneration: 1 },
  };
  const p = pod('web-7f9c-x2', 'a', { app: 'web' });
  const meta = p.metadata ?? {};
  meta.uid = 'pod-uid';
  meta.labels = { ...meta.labels, 'pod-template-hash': '7f9c', 'berth.dev/runtime-class': cls };
  meta.ownerReferences = [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7f9c', uid: 'rs', controller: true },
  ];
  return { d, p };
}

const view = (d: V1Deployment | undefined, on = true): SurgeView => ({
  deployment: (ns, name) => (d && ns === 'shop' && name === d.metadata?.name ? d : undefined),
  surgeFirst: (cls) => on && cls === 'general',
});

// kubernetes/kubernetes pkg/controller/deployment/util ResolveFenceposts: maxSurge scaled rounding
// up, maxUnavailable rounding down, and both 0 makes maxUnavailable 1.
describe('fenceposts: a rolling update as the Deployment controller resolves it', () => {
  it.each([
    { name: 'the defaults (25%, 25%) at 1 replica', strategy: undefined, want: { surge: 1, unavailable: 0 } },
    {
      name: 'maxSurge 1, maxUnavailable 0',
      strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      want: { surge: 1, unavailable: 0 },
    },
    {
      name: 'maxSurge 0, maxUnavailable 0: unavailable 1',
      strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
      want: { surge: 0, unavailable: 1 },
    },
    {
      name: 'maxUnavailable 100%',
      strategy: { rollingUpdate: { maxUnavailable: '100%' } },
      want: { surge: 1, unavailable: 1 },
    },
  ])('$name', ({ strategy, want }) => {
    expect(fenceposts(web(strategy ? { strategy } : {}).d)).toEqual(want);
  });

  it('Recreate has none', () => {
    expect(fenceposts(web({ strategy: { type: 'Recreate' } }).d)).toBeUndefined();
  });
});

describe('moveOf: surge-first, or eviction and why (berth why node says it)', () => {
  it('a single replica that can surge, of a class that turns it on: surge-first', () => {
    const { d, p } = web();
    expect(moveOf(p, view(d))).toEqual({ kind: 'surge', deployment: d });
  });

  it.each([
    {
      name: '2 replicas',
      spec: { replicas: 2 },
      why: 'Deployment web runs 2 replicas: its pods are evicted, under their PDB',
    },
    {
      name: 'Recreate',
      spec: { strategy: { type: 'Recreate' } },
      why: "Deployment web's strategy is Recreate: it cannot surge; its pod is evicted",
    },
    {
      name: 'maxSurge 0',
      spec: { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
      why: "Deployment web's maxSurge is 0: it cannot surge; its pod is evicted",
    },
    {
      name: 'maxUnavailable 1',
      spec: { strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } },
      why: "Deployment web's maxUnavailable is 1: a rollout would stop its pod first; it is evicted",
    },
    {
      name: 'paused',
      spec: { paused: true },
      why: 'Deployment web is paused: a rollout would not start; its pod is evicted',
    },
  ])('$name: evicted', ({ spec, why }) => {
    const { d, p } = web(spec);
    expect(moveOf(p, view(d))).toEqual({ kind: 'evict', why });
  });

  it('a class that does not turn it on, and a StatefulSet, keep eviction', () => {
    const { d, p } = web({}, 'batch');
    expect(moveOf(p, view(d))).toEqual({
      kind: 'evict',
      why: 'runtime class batch: surge-first is off (policies.yaml runtimeClasses.<class>.surgeFirst); its pod is evicted',
    });
    const db = pod('db-0', 'a', { app: 'db', owner: 'StatefulSet' });
    expect(moveOf(db, view(d))).toMatchObject({
      kind: 'evict',
      why: expect.stringMatching(/^StatefulSet db-rs/) as string,
    });
  });
});

describe('surgeProgress', () => {
  const started = (status: NonNullable<V1Deployment['status']>, generation = 2) => {
    const { d } = web();
    if (d.spec) d.spec.template.metadata = { annotations: { [MOVED_OFF]: 'a' } };
    if (d.metadata) d.metadata.generation = generation;
    d.status = status;
    return d;
  };
  it('starts when the template does not name the node; under way once it does; stalled past the deadline', () => {
    expect(surgeProgress(web().d, 'a')).toBe('start');
    expect(surgeProgress(started({ observedGeneration: 1 }), 'a')).toBe('under-way');
    expect(
      surgeProgress(
        started({ observedGeneration: 2, conditions: [{ type: 'Progressing', status: 'True' }] }),
        'a',
      ),
    ).toBe('under-way');
    expect(
      surgeProgress(
        started({
          observedGeneration: 2,
          conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
        }),
        'a',
      ),
    ).toBe('stalled');
  });
});

describe('a drain moves a single replica surge-first', () => {
  function ops(result: SurgeStarted = { ok: true }) {
    const calls = { surged: [] as string[], evicted: [] as string[] };
    const o: NodeOps = {
      mark: () => Promise.resolve(),
      unmark: () => Promise.resolve(),
      evict: (p) => {
        calls.evicted.push(p.metadata?.name ?? '');
        return Promise.resolve('blocked');
      },
      deletePod: () => Promise.resolve(),
      terminate: () => Promise.resolve(),
      podsOn: () => Promise.resolve([]),
      surge: (d, n) => {
        calls.surged.push(`${d.metadata?.name ?? ''}@${n}`);
        return Promise.resolve(result);
      },
    };
    return { o, calls };
  }
  const drain = async (o: NodeOps, p: V1Pod, d: V1Deployment, notes: SurgeNote[]) =>
    drainStep(o, new Metrics({ defaults: false }), [p], {
      node: 'a',
      now: new Date(),
      surge: { moveOf: (x) => moveOf(x, view(d)), onSurge: (_p, _m, n) => notes.push(n) },
    });

  it('starts the move instead of evicting, once (the next rounds wait for the rollout)', async () => {
    const { d, p } = web();
    const { o, calls } = ops();
    const notes: SurgeNote[] = [];
    expect(await drain(o, p, d, notes)).toEqual({ done: false, evicted: 0, blocked: 0 });
    expect(calls).toEqual({ surged: ['web@a'], evicted: [] });
    expect(notes).toEqual([{ kind: 'started' }]);
    if (d.spec) d.spec.template.metadata = { annotations: { [MOVED_OFF]: 'a' } };
    await drain(o, p, d, notes);
    expect(calls.surged).toHaveLength(1);
  });

  it('falls back to eviction when the API server refuses the change, saying why', async () => {
    const { d, p } = web();
    const { o, calls } = ops({ ok: false, why: 'the API server refused the change (403): forbidden' });
    const notes: SurgeNote[] = [];
    expect(await drain(o, p, d, notes)).toEqual({ done: false, evicted: 0, blocked: 1 });
    expect(calls.evicted).toEqual(['web-7f9c-x2']);
    expect(notes).toEqual([{ kind: 'fallback', why: 'the API server refused the change (403): forbidden' }]);
  });
});

describe('a PDB does not hold a pod moved surge-first', () => {
  it('a single replica under minAvailable 1 keeps its node when evicted, not when moved surge-first', () => {
    const { d, p } = web();
    const pdbs = pdbStates([pdb('web', 'web', { minAvailable: 1 }, 0)], [p]);
    const catalog = builtinCatalog();
    const nodes = [node('a')];
    const byNode = new Map([['a', [p]]]);
    const evicting = classify(nodes, byNode, pools, pdbs, { catalog, now: new Date() });
    expect(evicting.kept.map((k) => k.reason)).toEqual([
      'PodDisruptionBudget shop/web allows 0 disruptions (minAvailable 1, 3 healthy)',
    ]);
    const surging = classify(nodes, byNode, pools, pdbs, {
      catalog,
      now: new Date(),
      surges: (x) => moveOf(x, view(d)).kind === 'surge',
    });
    expect(surging.candidates.map((n) => n.name)).toEqual(['a']);
    expect([...(surging.candidates[0]?.surging ?? [])]).toEqual([p]);
  });
});
