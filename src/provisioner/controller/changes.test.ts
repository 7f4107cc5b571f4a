import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Changes, nodeShape, Refused, waitingPodShape } from './changes.js';

const base = (): V1Node => ({
  metadata: { name: 'n1', labels: { 'karpenter.sh/nodepool': 'perf' } },
  spec: { providerID: 'kwok://n1', taints: [{ key: 'karpenter.sh/unregistered', effect: 'NoExecute' }] },
  status: {
    allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
    conditions: [
      { type: 'Ready', status: 'False', lastHeartbeatTime: new Date(0) },
      { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: new Date(0) },
    ],
  },
});

type Edit = (n: V1Node) => void;
const edits: [string, Edit, boolean][] = [
  [
    'a heartbeat (condition times only)',
    (n) => n.status?.conditions?.forEach((c) => (c.lastHeartbeatTime = new Date(9))),
    false,
  ],
  [
    'another condition than Ready',
    (n) => n.status?.conditions?.[1] && (n.status.conditions[1].status = 'True'),
    false,
  ],
  ['an annotation', (n) => n.metadata && (n.metadata.annotations = { a: 'b' }), false],
  ['Ready', (n) => n.status?.conditions?.[0] && (n.status.conditions[0].status = 'True'), true],
  [
    'a label',
    (n) => n.metadata && (n.metadata.labels = { 'karpenter.sh/nodepool': 'perf', zone: 'a' }),
    true,
  ],
  ['a taint gone', (n) => n.spec && (n.spec.taints = []), true],
  ['cordoned', (n) => n.spec && (n.spec.unschedulable = true), true],
  [
    'allocatable',
    (n) => n.status && (n.status.allocatable = { cpu: '3', memory: '16Gi', pods: '110' }),
    true,
  ],
  ['the provider ID', (n) => n.spec && (n.spec.providerID = 'aws:///us-east-1a/i-1'), true],
  ['deleting', (n) => n.metadata && (n.metadata.deletionTimestamp = new Date(1)), true],
];

const nodeChanges = () => new Changes<V1Node>((n) => n.metadata?.name ?? '', nodeShape);

/** Seen added, then updated by `edit`: whether that is news, and (remembered) that it is not twice. */
function expectUpdate<T>(changes: Changes<T>, make: () => T, edit: (o: T) => void, news: boolean): void {
  expect(changes.news(make(), 'add')).toBe(true);
  const after = make();
  edit(after);
  expect(changes.news(after, 'update')).toBe(news);
  expect(changes.news(after, 'update')).toBe(false);
}

describe('Changes of Nodes', () => {
  it.each(edits)('an update changing %s is news: %s', (_, edit, news) => {
    expectUpdate(nodeChanges(), base, edit, news);
  });

  it('an update of a Node never seen, a delete and an add again are news', () => {
    const changes = nodeChanges();
    expect(changes.news(base(), 'update')).toBe(true);
    expect(changes.news(base(), 'delete')).toBe(true);
    expect(changes.news(base(), 'add')).toBe(true);
  });
});

const pod = (): V1Pod => ({
  metadata: { name: 'p', namespace: 'a', uid: 'u1' },
  spec: { containers: [], schedulingGates: [{ name: 'berth.dev/capacity' }] },
  status: { phase: 'Pending' },
});
const podChanges = () => new Changes<V1Pod>((p) => p.metadata?.uid ?? '', waitingPodShape);
type PodEdit = (p: V1Pod) => void;
const podEdits: [string, PodEdit, boolean][] = [
  ['a label', (p) => p.metadata && (p.metadata.labels = { a: 'b' }), false],
  ['its gate lifted', (p) => p.spec && (p.spec.schedulingGates = []), false],
  [
    "kube-scheduler's verdict",
    (p) =>
      p.status &&
      (p.status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }]),
    true,
  ],
  ['its nomination', (p) => p.status && (p.status.nominatedNodeName = 'n1'), true],
  ['deleting', (p) => p.metadata && (p.metadata.deletionTimestamp = new Date(1)), true],
];

describe('Changes of waiting pods', () => {
  it.each(podEdits)('an update changing %s is news: %s', (_, edit, news) => {
    expectUpdate(podChanges(), pod, edit, news);
  });

  it('a pod forgotten (bound) and seen again waiting is news', () => {
    const changes = podChanges();
    changes.news(pod(), 'add');
    changes.forget(pod());
    expect(changes.news(pod(), 'update')).toBe(true);
  });
});

describe('Refused: bindings are news while kube-scheduler finds no room for a waiting pod', () => {
  const refusedPod = (uid: string): V1Pod => ({
    metadata: { name: uid, namespace: 'a', uid },
    spec: { containers: [] },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
    },
  });
  const boundPod = (uid: string): V1Pod => ({
    metadata: { name: uid, namespace: 'a', uid },
    spec: { containers: [], nodeName: 'n1' },
    status: { phase: 'Pending' },
  });

  it('a binding is no news while no pod is refused', () => {
    const r = new Refused();
    expect(r.seen(pod(), 'add', false)).toBe(false);
    expect(r.seen(boundPod('b'), 'update', true)).toBe(false);
  });

  it("a binding or a bound pod's deletion is news while one is refused; a bound pod's update is not", () => {
    const r = new Refused();
    expect(r.seen(refusedPod('x'), 'update', false)).toBe(false);
    expect(r.size).toBe(1);
    expect(r.seen(boundPod('b'), 'update', true)).toBe(true);
    expect(r.seen(boundPod('b'), 'update', false)).toBe(false);
    expect(r.seen(boundPod('b'), 'delete', false)).toBe(true);
  });

  it('the refused pod bound, deleted or no longer refused ends it', () => {
    for (const end of [
      (r: Refused) => r.seen(boundPod('x'), 'update', true),
      (r: Refused) => r.seen(refusedPod('x'), 'delete', false),
      (r: Refused) => {
        const scheduled = refusedPod('x');
        scheduled.status = { phase: 'Pending' };
        return r.seen(scheduled, 'update', false);
      },
    ]) {
      const r = new Refused();
      r.seen(refusedPod('x'), 'add', false);
      expect(end(r)).toBe(false);
      expect(r.size).toBe(0);
      expect(r.seen(boundPod('b'), 'update', true)).toBe(false);
    }
  });
});
