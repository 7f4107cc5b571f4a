import type { V1Node } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { EventSpec } from '../../kube/events.js';
import type { Offering } from '../cloud/provider.js';
import { InterruptionController, INTERRUPTION_PHASE } from './controller.js';
import type { QueueMessage } from './queue.js';

const node = (name: string, id: string, extra: Record<string, string> = {}): V1Node => ({
  metadata: {
    name,
    uid: `uid-${name}`,
    labels: {
      'karpenter.sh/nodepool': 'batch',
      'node.kubernetes.io/instance-type': 'm5.large',
      'topology.kubernetes.io/zone': 'us-east-1a',
      'karpenter.sh/capacity-type': 'spot',
      ...extra,
    },
  },
  spec: { providerID: `aws:///us-east-1a/${id}` },
});

const event = (detailType: string, detail: object, source = 'aws.ec2') =>
  JSON.stringify({ source, 'detail-type': detailType, detail });

function harness(bodies: (string | undefined)[], failMark = false) {
  const messages: QueueMessage[] = bodies.map((body, i) => ({ id: `m${i}`, body, receipt: `r${i}` }));
  const deleted: string[] = [];
  const marked: [string, string][] = [];
  const terminated: string[] = [];
  const unavailable: Offering[] = [];
  const disrupted: string[] = [];
  const events: EventSpec[] = [];
  const counted: string[] = [];
  let provisioned = 0;
  let drained = 0;
  const c = new InterruptionController({
    queue: {
      receive: () => Promise.resolve(messages),
      delete: (r) => {
        deleted.push(r);
        return Promise.resolve();
      },
    },
    nodes: () => {
      const theirs = node('theirs', 'i-9');
      theirs.metadata!.labels = {};
      return [
        node('spot-1', 'i-1'),
        node('od-2', 'i-2'),
        node('reserved-3', 'i-3', { 'karpenter.sh/capacity-type': 'reserved' }),
        theirs,
      ];
    },
    ops: {
      mark: (n, phase) => {
        if (failMark) return Promise.reject(new Error('API down'));
        marked.push([n.metadata?.name ?? '', phase]);
        return Promise.resolve();
      },
      terminate: (n) => {
        terminated.push(n.metadata?.name ?? '');
        return Promise.resolve();
      },
    },
    markUnavailable: (o) => unavailable.push(...o),
    disrupted: (n, reason) => disrupted.push(`${n.metadata?.name ?? ''}:${reason}`),
    provisionNow: () => provisioned++,
    drainNow: () => drained++,
    events: { emit: (e) => events.push(e) },
    logger: pino({ level: 'silent' }),
    count: (kind, result) => counted.push(`${kind}:${result}`),
    clock: () => new Date('2026-11-23T00:00:00Z'),
  });
  return {
    c,
    deleted,
    marked,
    terminated,
    unavailable,
    disrupted,
    events,
    counted,
    get provisioned() {
      return provisioned;
    },
    get drained() {
      return drained;
    },
  };
}

describe('interruption controller', () => {
  it('a spot interruption: offering unavailable, node tainted for drain, a round of provisioning and drain now', async () => {
    const h = harness([event('EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-1' })]);
    expect(await h.c.poll()).toBe(1);
    expect(h.unavailable).toEqual([{ instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot' }]);
    expect(h.marked).toEqual([['spot-1', INTERRUPTION_PHASE]]);
    expect(h.provisioned).toBe(1);
    expect(h.drained).toBe(1);
    expect(h.events.map((e) => e.reason)).toEqual(['SpotInterrupted']);
    expect(h.deleted).toEqual(['r0']);
    expect(h.counted).toEqual(['spotInterruption:handled']);
    // Karpenter's nodeclaims_disrupted_total reason for it (its message kind).
    expect(h.disrupted).toEqual(['spot-1:spot_interrupted']);
  });

  // aws/karpenter-provider-aws v1.14.1 interruption (CapacityReservationInterruptionKind): cordon and
  // drain, and the reservation is marked unavailable.
  it('an interruptible reservation taking its instance back: the reserved offering unavailable, drained', async () => {
    const h = harness([
      event('EC2 Capacity Reservation Instance Interruption Warning', { 'instance-id': 'i-3' }),
    ]);
    await h.c.poll();
    expect(h.unavailable).toEqual([
      { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'reserved' },
    ]);
    expect(h.marked).toEqual([['reserved-3', INTERRUPTION_PHASE]]);
    expect(h.events.map((e) => e.reason)).toEqual(['CapacityReservationInstanceInterrupted']);
    expect(h.counted).toEqual(['reservationInterruption:handled']);
    expect(h.disrupted).toEqual(['reserved-3:capacity_reservation_interrupted']);
  });

  it('a scheduled change drains without marking an offering; a rebalance is an Event only', async () => {
    const h = harness([
      event(
        'AWS Health Event',
        { service: 'EC2', eventTypeCategory: 'scheduledChange', affectedEntities: [{ entityValue: 'i-2' }] },
        'aws.health',
      ),
      event('EC2 Instance Rebalance Recommendation', { 'instance-id': 'i-1' }),
    ]);
    await h.c.poll();
    expect(h.unavailable).toEqual([]);
    expect(h.marked).toEqual([['od-2', INTERRUPTION_PHASE]]);
    expect(h.events.map((e) => e.reason)).toEqual(['InstanceScheduledChange', 'RebalanceRecommendation']);
    expect(h.counted).toEqual(['scheduledChange:handled', 'rebalanceRecommendation:handled']);
  });

  it('an instance stopping or terminated: the Node is removed; running is ignored', async () => {
    const h = harness([
      event('EC2 Instance State-change Notification', { 'instance-id': 'i-2', state: 'terminated' }),
      event('EC2 Instance State-change Notification', { 'instance-id': 'i-1', state: 'running' }),
    ]);
    await h.c.poll();
    expect(h.terminated).toEqual(['od-2']);
    expect(h.counted).toEqual(['stateChange:handled', 'stateChange:ignored']);
    expect(h.deleted).toEqual(['r0', 'r1']);
  });

  it('deletes malformed messages and those of nodes it does not manage; keeps one it failed to handle', async () => {
    const h = harness([
      'nonsense',
      event('EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-9' }),
    ]);
    await h.c.poll();
    expect(h.counted).toEqual(['malformed:malformed', 'spotInterruption:no-node']);
    expect(h.deleted).toEqual(['r0', 'r1']);
    const failing = harness(
      [event('EC2 Spot Instance Interruption Warning', { 'instance-id': 'i-1' })],
      true,
    );
    expect(await failing.c.poll()).toBe(0);
    expect(failing.deleted).toEqual([]);
    expect(failing.counted).toEqual(['spotInterruption:failed']);
  });
});
