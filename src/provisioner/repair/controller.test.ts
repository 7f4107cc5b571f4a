import type { V1Node } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { node, nodePool } from '../../../test/support/cluster.js';
import type { EventSpec } from '../../kube/events.js';
import { Metrics } from '../../observability/metrics.js';
import { nodeRef } from '../disruption/drain-nodes.js';
import { DISRUPTION_ANNOTATION, REPAIR_PHASE } from '../disruption/marks.js';
import { RepairController } from './controller.js';
import { snakeCase } from '../disruption/decision-metrics.js';
import { poolView, type PoolView } from '../../scheduling/nodepool.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');

function bad(name: string, type = 'Ready', status = 'False', min = 45): V1Node {
  const n = node(name, { pool: 'p' });
  (n.status ??= {}).conditions = [
    { type, status, lastTransitionTime: new Date(NOW - min * 60_000).toISOString() as unknown as Date },
  ];
  return n;
}

function rig(nodes: V1Node[], pools: PoolView[] = []) {
  const marks: [string, string][] = [];
  const events: EventSpec[] = [];
  const calls = { provision: 0, drain: 0 };
  const metrics = new Metrics();
  let now = NOW;
  const c = new RepairController({
    nodes: () => nodes,
    pools: () => pools,
    ops: {
      mark: (n, phase) => {
        marks.push([n.metadata?.name ?? '', phase]);
        return Promise.resolve();
      },
    },
    involved: (n) => nodeRef(n.metadata?.name ?? '', undefined),
    provisionNow: () => (calls.provision += 1),
    drainNow: () => (calls.drain += 1),
    events: { emit: (e) => events.push(e) },
    metrics,
    logger: pino({ level: 'silent' }),
    clock: () => new Date(now),
  });
  return { c, marks, events, calls, metrics, later: (ms: number) => (now += ms) };
}

describe('RepairController', () => {
  it('marks an unhealthy node for repair, counts it as Karpenter does, and plans and drains at once', async () => {
    const r = rig([bad('sick'), node('a', { pool: 'p' }), node('b', { pool: 'p' })]);
    await r.c.round();
    expect(r.marks).toEqual([['sick', REPAIR_PHASE]]);
    expect(r.calls).toEqual({ provision: 1, drain: 1 });
    const text = await r.metrics.registry.metrics();
    expect(text).toContain(
      'karpenter_nodeclaims_disrupted_total{reason="unhealthy",nodepool="p",capacity_type="on-demand",consolidation_policy="",termination_mode="graceful"} 1',
    );
    expect(text).toMatch(
      /karpenter_nodeclaims_unhealthy_disrupted_total\{condition="ready",nodepool="p",capacity_type="on-demand",image_id="[^"]*"\} 1/,
    );
    expect(r.events.map((e) => [e.reason, e.message])).toEqual([
      [
        'NodeRepair',
        'Ready has been False since 2026-11-27T11:15:00.000Z: the node is replaced, its pods drained through the Eviction API',
      ],
    ]);
  });

  it('leaves a node already draining alone, and waits for one within its toleration', async () => {
    const draining = bad('sick');
    (draining.metadata ??= {}).annotations = { [DISRUPTION_ANNOTATION]: REPAIR_PHASE };
    const r = rig([
      draining,
      bad('new', 'Ready', 'Unknown', 10),
      node('a', { pool: 'p' }),
      node('b', { pool: 'p' }),
      node('c', { pool: 'p' }),
      node('d', { pool: 'p' }),
      node('e', { pool: 'p' }),
    ]);
    const { next } = await r.c.round();
    expect(r.marks).toEqual([]);
    expect(r.calls).toEqual({ provision: 0, drain: 0 });
    expect(next).toBe(NOW + 20 * 60_000);
  });

  it('says NodeRepairBlocked when over 20% of the pool is unhealthy, at most every 15 minutes', async () => {
    const r = rig([bad('s1'), bad('s2'), node('a', { pool: 'p' })]);
    await r.c.round();
    await r.c.round();
    expect(r.marks).toEqual([]);
    expect(r.events.map((e) => [e.involved.name, e.type, e.reason])).toEqual([
      ['s1', 'Warning', 'NodeRepairBlocked'],
      ['s2', 'Warning', 'NodeRepairBlocked'],
    ]);
    r.later(15 * 60_000);
    await r.c.round();
    expect(r.events).toHaveLength(4);
  });

  it("holds repair while the NodePool's budget for Unhealthy allows none, and repairs once a window opens", async () => {
    // Karpenter v1.15: repair rides the shared disruption budget, reason Unhealthy.
    const pool = poolView(
      nodePool('p', {
        budgets: [
          { nodes: '0', reasons: ['Unhealthy'], schedule: '0 12 * * *', duration: '1h' },
          { nodes: '100%' },
        ],
      }),
    );
    const r = rig([bad('sick'), node('a', { pool: 'p' }), node('b', { pool: 'p' })], [pool]);
    const { next } = await r.c.round();
    expect(r.marks).toEqual([]);
    expect(next).toBe(NOW + 10_000);
    r.later(60 * 60_000);
    await r.c.round();
    expect(r.marks).toEqual([['sick', REPAIR_PHASE]]);
  });

  it.each([
    ['Ready', 'ready'],
    ['AcceleratedHardwareReady', 'accelerated_hardware_ready'],
    ['ContainerRuntimeReady', 'container_runtime_ready'],
  ])('labels the condition %s as %s', (type, label) => {
    expect(snakeCase(type)).toBe(label);
  });
});
