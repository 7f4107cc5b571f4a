import type { CoreV1Api, V1Node, V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { EventSpec } from '../../kube/events.js';
import { Metrics } from '../../observability/metrics.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { PinRepair } from './pin-repair.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const pinTo = (node: string) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
    },
  },
});
const pod = (
  name: string,
  cpu: string,
  o: { node?: string; pin?: string; owner?: boolean; since?: number } = {},
): V1Pod => ({
  metadata: {
    name,
    namespace: 'perf',
    uid: `uid-${name}`,
    ...(o.owner === false
      ? {}
      : {
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs', controller: true },
          ],
        }),
  },
  spec: {
    containers: [{ name: 'app', resources: { requests: { cpu, memory: '1Gi' } } }],
    ...(o.node ? { nodeName: o.node } : {}),
    ...(o.pin ? { affinity: pinTo(o.pin) } : {}),
  },
  status:
    o.since === undefined
      ? { phase: o.node ? 'Running' : 'Pending' }
      : {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              lastTransitionTime: new Date(o.since),
            },
          ],
        },
});
const CILIUM = { key: 'cilium.io/agent-not-ready', effect: 'NoExecute' };
const node = (name: string, o: { pool?: string; cilium?: boolean } = {}): V1Node => ({
  metadata: { name, ...(o.pool ? { labels: { 'karpenter.sh/nodepool': o.pool } } : {}) },
  ...(o.cilium ? { spec: { taints: [CILIUM] } } : {}),
  status: {
    conditions: [{ type: 'Ready', status: 'True' }],
    allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
  },
});

const general: NodePool = {
  metadata: { name: 'general' },
  spec: { template: { spec: { nodeClassRef: { name: 'default' }, startupTaints: [CILIUM] } } },
};

function world(
  pods: V1Pod[],
  nodes: V1Node[],
  answer: (name: string) => Promise<unknown> = () => Promise.resolve({}),
) {
  const deleted: { name: string; body: unknown }[] = [];
  const events: EventSpec[] = [];
  const core = {
    deleteNamespacedPod: (req: { name: string; body: unknown }) => {
      deleted.push({ name: req.name, body: req.body });
      return answer(req.name);
    },
  } as unknown as Pick<CoreV1Api, 'deleteNamespacedPod'>;
  const cache = <T extends { metadata?: { name?: string } }>(items: T[]) => ({
    synced: true,
    list: () => items,
    get: (name: string) => items.find((x) => x.metadata?.name === name),
    onChange: () => () => undefined,
  });
  let now = NOW;
  const metrics = new Metrics({ defaults: false });
  let released = 0;
  const repair = new PinRepair({
    core,
    shared: {
      acquire: (key: string) => (key === 'nodes' ? cache(nodes) : cache(pods)) as never,
      release: () => {
        released += 1;
        return Promise.resolve();
      },
    },
    events: { emit: (e) => events.push(e) },
    logger: pino({ level: 'silent' }),
    metrics,
    now: () => now,
    sweepMs: 60_000,
    view: { nodePools: [poolView(general)] },
  });
  const advance = (ms: number) => {
    now += ms;
  };
  return { repair, deleted, events, metrics, advance, released: () => released };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('PinRepair', () => {
  it('deletes the pinned pods their Node cannot take, once, for their controller to make again', async () => {
    const pods = [
      pod('there', '3', { node: 'n1' }),
      pod('fits', '1', { pin: 'n1' }),
      pod('full', '2', { pin: 'n1' }),
      pod('orphan', '1', { pin: 'gone' }),
      // Refused since the gate's time as its condition says: the repair counts from when it saw it.
      pod('refused', '1', { pin: 'n2', since: NOW - 60_000 }),
      pod('waiting', '1', { pin: 'n2' }),
      pod('users-own', '1', { pin: 'gone', owner: false }),
      pod('unpinned', '8'),
    ];
    const w = world(pods, [node('n1'), node('n2')]);
    w.repair.start();
    w.repair.look();
    await settle();
    expect(w.deleted.map((d) => d.name).sort()).toEqual(['full', 'orphan']);
    w.advance(9_000);
    w.repair.look();
    await settle();
    expect(w.deleted).toHaveLength(2);
    w.advance(1_000);
    w.repair.look();
    await settle();
    expect(w.deleted.map((d) => d.name).sort()).toEqual(['full', 'orphan', 'refused']);
    expect(w.deleted.find((d) => d.name === 'full')?.body).toEqual({ preconditions: { uid: 'uid-full' } });
    const text = await w.metrics.registry.metrics();
    expect(text).toContain('berth_provisioner_pins_undone_total{reason="no-room"} 1');
    expect(text).toContain('berth_provisioner_pins_undone_total{reason="node-gone"} 1');
    expect(text).toContain('berth_provisioner_pins_undone_total{reason="unschedulable"} 1');
    expect(w.events.find((e) => e.message.startsWith('pod full'))).toEqual({
      involved: { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: 'perf', name: 'web-1', uid: 'rs' },
      type: 'Normal',
      reason: 'PinnedPodReplaced',
      message:
        'pod full was let through pinned to node n1, which has no room left for it; deleted for the ReplicaSet to make again',
    });
    // The cache still shows them: not deleted again.
    w.repair.look();
    await settle();
    expect(w.deleted).toHaveLength(3);
    await w.repair.stop();
    expect(w.released()).toBe(2);
  });

  it("waits while kube-scheduler refuses a pod for its Node's start-up taint, not for another taint", async () => {
    const pods = [
      pod('starting', '1', { pin: 'n3', since: NOW - 60_000 }),
      pod('tainted', '1', { pin: 'n4', since: NOW - 60_000 }),
    ];
    const w = world(pods, [node('n3', { pool: 'general', cilium: true }), node('n4', { cilium: true })]);
    w.repair.start();
    w.repair.look();
    await settle();
    w.advance(60_000);
    w.repair.look();
    await settle();
    expect(w.deleted.map((d) => d.name)).toEqual(['tainted']);
    const text = await w.metrics.registry.metrics();
    expect(text).toContain('berth_provisioner_pins_undone_total{reason="taint"} 1');
    await w.repair.stop();
  });

  it('counts nothing for a pod already gone, and tries again after another error', async () => {
    let fail = true;
    const w = world([pod('a', '1', { pin: 'gone' }), pod('b', '1', { pin: 'gone' })], [], (name) =>
      name === 'a'
        ? Promise.reject(Object.assign(new Error('gone'), { code: 404 }))
        : fail
          ? Promise.reject(Object.assign(new Error('boom'), { code: 500 }))
          : Promise.resolve({}),
    );
    w.repair.start();
    w.repair.look();
    await settle();
    fail = false;
    w.repair.look();
    await settle();
    expect(w.deleted.map((d) => d.name)).toEqual(['a', 'b', 'b']);
    const text = await w.metrics.registry.metrics();
    expect(text).toContain('berth_provisioner_pins_undone_total{reason="node-gone"} 1');
    await w.repair.stop();
  });
});
