import { ZERO } from '../solver/resources.js';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { solverPod } from '../input/pods.js';
import type { ExistingNode, SolverInput } from '../solver/model.js';
import { samePod } from './binder.js';
import { applyHolds, type Hold } from './hold.js';

const catalog = builtinCatalog();
const pod = (id: string, labels: Record<string, string>, cpu = '500m') =>
  solverPod(id, 'apps', {
    metadata: { labels },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory: '1Gi' } } }] },
  });
const held = (p: ReturnType<typeof pod>) => ({
  id: p.id,
  namespace: p.namespace,
  labels: p.labels,
  requests: p.requests,
});
// A claim's Node is found by its instance's providerID (claim c1 launched instance i-1).
const node = (name: string, claim: string): ExistingNode => ({
  name,
  providerId: `aws:///us-east-1a/i-${claim.slice(1)}`,
  labels: {},
  taints: [],
  allocatable: { ...ZERO, cpu: 100, mem: 128, pods: 110 },
  pods: [],
  inFlight: false,
});

describe('samePod', () => {
  const fed = pod('apps/web-0', { app: 'web' });
  it.each([
    ['the same id', fed, true],
    [
      'a real pod of the workload (pod-template-hash added)',
      pod('apps/web-5d8-x', { app: 'web', 'pod-template-hash': '5d8' }),
      true,
    ],
    ['another workload', pod('apps/api-1', { app: 'api' }), false],
    ['the same labels, other requests', pod('apps/web-5d8-y', { app: 'web' }, '2'), false],
  ])('%s', (_, other, expected) => {
    expect(samePod(held(fed), other)).toBe(expected);
  });
});

describe('applyHolds', () => {
  const a = pod('apps/web-a', { app: 'web' });
  const b = pod('apps/web-b', { app: 'web' });
  const input: SolverInput = {
    pods: [a, b],
    nodes: [node('ip-1', 'c1')],
    pools: [],
    daemonSets: [],
    catalog,
  };
  const hold = (until: number, claim = 'c1'): Hold => ({
    claim,
    instanceId: `i-${claim.slice(1)}`,
    until,
    pods: [held(a)],
  });

  it("does not hold a pod whose room on the node another workload's pod took; still holds one the node came up too small for", () => {
    const roomy = { ...node('ip-1', 'c1'), allocatable: { ...ZERO, cpu: 1000, mem: 4096, pods: 110 } };
    const other = pod('apps/api-x', { app: 'api' }, '800m');
    const taken = { ...roomy, pods: [held(other)] };
    const r = applyHolds({ ...input, nodes: [taken] }, [hold(100)], 50);
    expect(r.held).toBe(0);
    expect(r.input.pods.map((p) => p.id)).toEqual([a.id, b.id]);
    const free = applyHolds({ ...input, nodes: [roomy] }, [hold(100)], 50);
    expect(free.held).toBe(1);
    // ip-1 of `input` has 100 millicores: too small for the pod alone, so the guard holds it.
    expect(applyHolds(input, [hold(100)], 50).held).toBe(1);
  });

  describe('a pod bound on the node since excludes the held one on the hostname key', () => {
    const roomy = { ...node('ip-1', 'c1'), allocatable: { ...ZERO, cpu: 8000, mem: 32768, pods: 110 } };
    const onHost = (labelSelector: { matchLabels: Record<string, string> }) => ({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector,
    });
    const constrained = (id: string, spec: Record<string, unknown>) =>
      solverPod(id, 'apps', {
        metadata: { labels: { app: 'db' } },
        spec: {
          ...spec,
          containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '1Gi' } } }],
        },
      });
    const anti = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [onHost({ matchLabels: { app: 'db' } })],
        },
      },
    };
    const spread = {
      topologySpreadConstraints: [
        { maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', ...onHost({ matchLabels: { app: 'db' } }) },
      ],
    };
    // Another workload's pod with the same label (other requests: it does not stand for the held one).
    const sibling = pod('apps/db-z', { app: 'db' }, '1');
    const cases: [string, ReturnType<typeof pod>, ExistingNode['pods'][number], number][] = [
      ['its anti-affinity selects a pod there', constrained('apps/db-a', anti), held(sibling), 0],
      [
        'its hostname spread (maxSkew 1) is used up there',
        constrained('apps/db-a', spread),
        held(sibling),
        0,
      ],
      [
        'a pod there has an anti-affinity that selects it',
        pod('apps/db-a', { app: 'db' }),
        { ...held(sibling), antiAffinity: constrained('apps/db-z', anti).antiAffinity },
        0,
      ],
      ['(no constraint: held)', pod('apps/db-a', { app: 'db' }), held(sibling), 1],
      [
        '(anti-affinity, another app there: held)',
        constrained('apps/db-a', anti),
        held(pod('apps/web-z', { app: 'web' })),
        1,
      ],
    ];
    it.each(cases)('%s', (_, waiting, bound, expected) => {
      const h: Hold = { claim: 'c1', instanceId: 'i-1', until: 100, pods: [held(waiting)] };
      const r = applyHolds({ ...input, pods: [waiting], nodes: [{ ...roomy, pods: [bound] }] }, [h], 50);
      expect(r.held).toBe(expected);
      expect(r.input.pods).toHaveLength(1 - expected);
    });
  });

  it('is spent once its node runs every pod it was held for: a pod of the workload waiting later is planned afresh', () => {
    const ran = { ...node('ip-1', 'c1'), pods: [held(pod('apps/web-r', { app: 'web' }))] };
    const r = applyHolds({ ...input, nodes: [ran] }, [hold(100)], 50);
    expect(r.active).toEqual([]);
    expect(r.held).toBe(0);
    // The pod it ran is gone since (a scale-in, an eviction); its workload's waiting pods are not held.
    const later = applyHolds({ ...input, nodes: [node('ip-1', 'c1')] }, r.active, 60);
    expect(later.held).toBe(0);
    expect(later.input.pods.map((p) => p.id)).toEqual([a.id, b.id]);
  });

  it('binds a held waiting pod to its joined node and takes it out of the demand', () => {
    const r = applyHolds(input, [hold(100)], 50);
    expect(r.held).toBe(1);
    expect(r.input.pods.map((p) => p.id)).toEqual([b.id]);
    expect(r.input.nodes[0]?.pods.map((p) => p.id)).toEqual([a.id]);
  });

  it('binds the held pod itself while it waits, not the first replica of its kind (a join lift steered it there)', () => {
    const r = applyHolds({ ...input, pods: [a, b] }, [{ ...hold(100), pods: [held(b)] }], 50);
    expect(r.input.pods.map((p) => p.id)).toEqual([a.id]);
    expect(r.input.nodes[0]?.pods.map((p) => p.id)).toEqual([b.id]);
  });

  it('holds only what the node does not run yet: a replica bound there stands for one planned pod', () => {
    const twin = pod('apps/web-c', { app: 'web' });
    const withBound: SolverInput = {
      ...input,
      pods: [a, b],
      nodes: [{ ...node('ip-1', 'c1'), pods: [held(twin)] }],
    };
    // Two replicas planned there; the scheduler bound a third one (twin): one is still held.
    const two: Hold = { claim: 'c1', instanceId: 'i-1', until: 100, pods: [held(a), held(b)] };
    expect(applyHolds(withBound, [two], 50).held).toBe(1);
    // One planned, one bound: the waiting replicas were planned elsewhere and are not held here.
    expect(applyHolds(withBound, [hold(100)], 50).held).toBe(0);
  });

  it('leaves a pod in `skip` in the demand (keep.ts gave it back); the next wanted pod of its kind still takes the next one', () => {
    const c = pod('apps/web-c', { app: 'web' });
    const two: Hold = { claim: 'c1', instanceId: 'i-1', until: 100, pods: [held(a), held(c)] };
    const all = applyHolds({ ...input, pods: [a, b, c] }, [two], 50);
    expect(all.provisional.map((k) => [k.node, k.placed.id, k.pod.id])).toEqual([
      ['ip-1', a.id, a.id],
      ['ip-1', c.id, c.id],
    ]);
    const r = applyHolds({ ...input, pods: [a, b, c] }, [two], 50, new Set([a.id]));
    expect(r.held).toBe(1);
    expect(r.input.pods.map((p) => p.id)).toEqual([a.id, b.id]);
    expect(r.input.nodes[0]?.pods.map((p) => p.id)).toEqual([c.id]);
    // A fed replica given back stays in its group.
    const group = { pod: pod('apps/web-', { app: 'web' }), from: 0, count: 3 };
    const fed = applyHolds({ ...input, pods: [], groups: [group] }, [hold(100)], 50, new Set([a.id]));
    expect(fed.held).toBe(0);
    expect(fed.input.groups).toEqual([group]);
  });

  it('drops a hold past its time', () => {
    const r = applyHolds(input, [hold(100)], 100);
    expect(r.active).toEqual([]);
    expect(r.input).toBe(input);
  });

  it.each([
    [
      'being disrupted (its NodeClaim deleted, consolidated)',
      { taints: [{ key: 'karpenter.sh/disrupted', effect: 'NoSchedule' }] },
    ],
    ['cordoned or being deleted', { unschedulable: true }],
  ])('holds nothing on a node %s: its pods need room elsewhere', (_, change) => {
    const r = applyHolds({ ...input, nodes: [{ ...node('ip-1', 'c1'), ...change }] }, [hold(100)], 50);
    expect(r.held).toBe(0);
    expect(r.input.pods).toHaveLength(2);
  });

  it('holds nothing while the node is not in the cache, but keeps the hold', () => {
    const r = applyHolds(input, [hold(100, 'c2')], 50);
    expect(r.held).toBe(0);
    expect(r.active).toHaveLength(1);
    expect(r.input.pods).toHaveLength(2);
  });

  it('takes a held replica out of a fed group when its pod does not exist yet', () => {
    const group = { pod: pod('apps/web-', { app: 'web' }), from: 0, count: 3 };
    const r = applyHolds({ ...input, pods: [], groups: [group] }, [hold(100)], 50);
    expect(r.held).toBe(1);
    expect(r.input.groups).toEqual([{ ...group, from: 1, count: 2 }]);
  });
});
