import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { cluster } from '../../../test/support/disruption-cluster.js';
import { pinOps } from '../../kube/pod-pins.js';
import { roomReason } from './kept.js';
import { RETURNING_ANNOTATION, ReturningPods, shortOfPeak, workloadOf } from './returning.js';

const MIN = 60_000;

/** `n` pods of Deployment `web` (ReplicaSet web-5d8f, pod-template-hash 5d8f), on node `on`. */
function web(n: number, on = 'a', cpu = '1'): V1Pod[] {
  return Array.from({ length: n }, (_, i) => {
    const p = pod(`web-5d8f-${i}`, on, { app: 'web', cpu });
    const meta = p.metadata ?? {};
    meta.labels = { ...meta.labels, 'pod-template-hash': '5d8f' };
    meta.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs', controller: true },
    ];
    return p;
  });
}

/** The counts observed a minute apart, and the returning pods after the last. */
function after(counts: readonly number[], windowMs = 5 * MIN): V1Pod[] {
  const r = new ReturningPods(() => windowMs);
  counts.forEach((k, i) => r.observe(web(k), i * MIN));
  return r.pods();
}

describe('shortOfPeak: how many pods a workload that came back will bring back again', () => {
  it.each([
    { name: 'steady', counts: [3, 3], want: 0 },
    { name: 'a scale-out', counts: [0, 3], want: 0 },
    { name: 'a scale-in after a scale-out (brings nothing back)', counts: [0, 3, 1], want: 0 },
    { name: 'low, high, low: it came back once, so it will again', counts: [3, 2, 3, 2], want: 1 },
    { name: 'high again: nothing is missing', counts: [3, 2, 3], want: 0 },
    { name: 'the peak of the window, not the last high', counts: [5, 2, 4, 1], want: 4 },
  ])('$name: $counts → $want', ({ counts, want }) => {
    expect(shortOfPeak(counts.map((pods, at) => ({ at, pods })))).toBe(want);
  });
});

describe('workloadOf', () => {
  it("names a Deployment through its ReplicaSet, so a rollout's ReplicaSets are one workload", () => {
    expect(workloadOf(web(1)[0] as V1Pod)).toBe('shop/Deployment/web');
  });
  it('names a StatefulSet and a bare ReplicaSet; a Job or a bare pod is none', () => {
    expect(workloadOf(pod('db-0', 'a', { app: 'db', owner: 'StatefulSet' }))).toBe('shop/StatefulSet/db-rs');
    expect(workloadOf(pod('x', 'a', { app: 'x' }))).toBe('shop/ReplicaSet/x-rs');
    expect(workloadOf(pod('j', 'a', { owner: 'Job' }))).toBeUndefined();
    expect(workloadOf(pod('p', 'a', { owner: false }))).toBeUndefined();
  });
});

describe('ReturningPods', () => {
  it('after low, high, low: the missing pods, unbound, in the shape of the last pod seen', () => {
    const back = after([3, 2, 3, 2]);
    expect(back.map((p) => p.metadata?.name)).toEqual(['web-5d8f-0-returning-1']);
    const p = back[0] as V1Pod;
    expect(p.spec?.nodeName).toBeUndefined();
    expect(p.status?.phase).toBe('Pending');
    expect(p.metadata?.annotations?.[RETURNING_ANNOTATION]).toBe('shop/Deployment/web');
    expect(p.spec?.containers[0]?.resources?.requests).toEqual({ cpu: '1', memory: '1Gi' });
  });

  it('a scale-in brings nothing back, nor a workload scaled to zero that never came back', () => {
    expect(after([0, 4, 1])).toEqual([]);
    expect(after([4, 0])).toEqual([]);
  });

  it('the wait ends with the window: once the return is older than it, nothing comes back', () => {
    const r = new ReturningPods(() => 5 * MIN);
    [3, 2, 3, 2].forEach((k, i) => r.observe(web(k), i * MIN));
    r.observe(web(2), 8 * MIN);
    expect(r.pods()).toEqual([]);
  });

  it('a window of 0 turns it off', () => {
    expect(after([3, 2, 3, 2], 0)).toEqual([]);
  });

  it('a workload gone altogether keeps its shape while it may come back', () => {
    const r = new ReturningPods(() => 5 * MIN);
    [2, 1, 2].forEach((k, i) => r.observe(web(k), i * MIN));
    r.observe([], 3 * MIN);
    expect(r.pods()).toHaveLength(2);
  });

  it("drops the pin to the pod's Node, its claimed volumes and its scheduling gates", () => {
    const pinned = web(2);
    for (const p of pinned) {
      const op = pinOps({}, 'a')?.[0];
      p.spec = {
        ...(p.spec ?? { containers: [] }),
        affinity: op && 'value' in op ? (op.value as never) : {},
      };
      p.spec.schedulingGates = [{ name: 'berth.dev/capacity' }];
      p.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
    }
    const r = new ReturningPods(() => 5 * MIN);
    r.observe(pinned, 0);
    r.observe(pinned.slice(0, 1), MIN);
    r.observe(pinned, 2 * MIN);
    r.observe(pinned.slice(0, 1), 3 * MIN);
    const [back] = r.pods();
    expect(back?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchFields: [] }],
    });
    expect(back?.spec?.schedulingGates).toBeUndefined();
    expect(back?.spec?.volumes).toEqual([]);
  });

  it('an evicted pod made again at once is no shrink and return: a count is one once it has held 10 s', () => {
    const r = new ReturningPods(() => 5 * MIN);
    r.observe(web(3), 0);
    r.observe(web(2), MIN); // a low
    // A drain at the low: one pod evicted, made again a second later, and again.
    [1, 2, 1, 2].forEach((k, i) => r.observe(web(k), MIN + (i + 1) * 1000));
    r.observe(web(2), 2 * MIN);
    expect(r.pods()).toEqual([]);
  });

  it("counts the pods short of the peak from the count now, as the workload's pods are made", () => {
    const r = new ReturningPods(() => 5 * MIN);
    [4, 2, 4, 2].forEach((k, i) => r.observe(web(k), i * MIN));
    expect(r.pods()).toHaveLength(2);
    r.observe(web(3), 4 * MIN); // the next high: one pod made so far
    expect(r.pods()).toHaveLength(1);
  });

  it('current: the pods short of the peak counted from the pods handed in, the moment a low begins', () => {
    const r = new ReturningPods(() => 5 * MIN);
    [4, 2, 4].forEach((k, i) => r.current(web(k), i * MIN));
    expect(r.current(web(4), 3 * MIN)).toEqual([]);
    // A round 200 ms later reads the low: its pods keep their room in that round already.
    expect(r.current(web(2), 3 * MIN + 200)).toHaveLength(2);
  });

  it('names the workloads that came back within the window, short of their peak or not', () => {
    const r = new ReturningPods(() => 5 * MIN);
    [3, 2, 3].forEach((k, i) => r.observe(web(k), i * MIN));
    expect(r.cameBack().size).toBe(0); // the return has not held 10 s yet
    r.observe(web(3), 2 * MIN + 10_000);
    expect(r.pods()).toEqual([]);
    expect([...r.cameBack()]).toEqual(['shop/Deployment/web']);
    const shrunk = new ReturningPods(() => 5 * MIN);
    [3, 2].forEach((k, i) => shrunk.observe(web(k), i * MIN));
    expect(shrunk.cameBack().size).toBe(0);
  });

  it('deleting and finished pods do not count', () => {
    const r = new ReturningPods(() => 5 * MIN);
    const going = web(3);
    const last = going[2] as V1Pod;
    if (last.metadata) last.metadata.deletionTimestamp = new Date();
    [web(3), going, web(3), going].forEach((ps, i) => r.observe(ps, i * MIN));
    expect(r.pods()).toHaveLength(1);
  });
});

describe('disruption keeps the room of a workload coming back', () => {
  // One of the three returning 1-CPU pods fits on a (m6i.xlarge) beside the two there; two need `empty`.
  const returning = () => after([5, 2, 5, 2]).slice(0, 3);

  it('emptiness keeps the empty node its returning pods need, and says why on it', async () => {
    const c = cluster([node('a'), node('empty')], [...web(2, 'a'), ...returning()]);
    const out = await c.controller.round();
    expect(out).toMatchObject({ kind: 'none' });
    expect(out.kind === 'none' ? out.kept : []).toContainEqual({
      node: 'empty',
      reason:
        'it keeps room for 2 pods of shop Deployment web coming back (it came back after shrinking within provisioner.consolidation.returningPodsWindowSeconds)',
    });
  });

  it('without them (a scale-in that never came back) the empty node goes, as before', async () => {
    const c = cluster([node('a'), node('empty')], web(2, 'a'));
    expect(await c.controller.round()).toMatchObject({ kind: 'decided', method: 'emptiness' });
  });
});

describe('roomReason', () => {
  it('names waiting pods and the workloads coming back', () => {
    const waiting = pod('late', '');
    expect(roomReason([waiting])).toBe('it keeps room for 1 waiting pod');
  });
});
