/**
 * Interruptions (leader only): each message from the queue is acted on, then deleted. A spot
 * interruption warning or a scheduled change: the spot offering is marked unavailable, the node is
 * tainted and its drain starts (the disruption drainer evicts through the Eviction API), and the
 * provisioner plans its pods at once, so a replacement is launching before the pods leave. A rebalance
 * recommendation: an Event and a metric. An instance stopping or terminated: the Node is removed. A
 * message whose handling fails stays on the queue (it comes back); a malformed one is logged, counted
 * and deleted. Everything it touches is passed in.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EventSink } from '../../kube/events.js';
import { LABEL } from '../../catalog/instance-type.js';
import { instanceIdOf, type Offering } from '../cloud/provider.js';
import type { NodeOps } from '../disruption/node-ops.js';
import { DISRUPTION_ANNOTATION, DRAINING, SINCE_ANNOTATION } from '../disruption/marks.js';
import { GONE_STATES, parseInterruption, type Interruption } from './messages.js';
import type { InterruptionQueue, QueueMessage } from './queue.js';

/** The drain phase of an interrupted node: the provisioner plans its pods before they are evicted. */
export const INTERRUPTION_PHASE = `${DRAINING}interruption`;

export interface InterruptionDeps {
  readonly queue: InterruptionQueue;
  /** Berth's Nodes (those with a NodePool label), from the leader's cache. */
  readonly nodes: () => readonly V1Node[];
  readonly ops: Pick<NodeOps, 'mark' | 'terminate'>;
  readonly markUnavailable: (offerings: readonly Offering[]) => void;
  /** A node disrupted by the message, with Karpenter's reason (`spot_interrupted`, `instance_stopped`, …). */
  readonly disrupted?: (node: V1Node, reason: string) => void;
  /** A round of the provisioner now, and of the drain. */
  readonly provisionNow: () => void;
  readonly drainNow: () => void;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly count: (kind: string, result: 'handled' | 'no-node' | 'failed' | 'malformed' | 'ignored') => void;
  readonly clock: () => Date;
}

type Outcome = 'handled' | 'no-node' | 'ignored';

const REASONS = {
  spotInterruption: 'SpotInterrupted',
  reservationInterruption: 'CapacityReservationInstanceInterrupted',
  scheduledChange: 'InstanceScheduledChange',
} as const;

/** Karpenter's message kinds (its interruption messages' Kind), the reason its disruption counter takes. */
const KARPENTER_KIND = {
  spotInterruption: 'spot_interrupted',
  reservationInterruption: 'capacity_reservation_interrupted',
  scheduledChange: 'scheduled_change',
} as const;

const MESSAGES = {
  spotInterruption:
    'EC2 will reclaim this spot instance in two minutes: a replacement is launched and the node drained',
  reservationInterruption:
    'its interruptible capacity reservation takes this instance back: a replacement is launched and the node drained',
  scheduledChange: 'EC2 scheduled a change for this instance: a replacement is launched and the node drained',
} as const;

export class InterruptionController {
  constructor(private readonly d: InterruptionDeps) {}

  /** One receive and everything it brought; returns how many messages were deleted. */
  async poll(signal?: AbortSignal): Promise<number> {
    const messages = await this.d.queue.receive(signal);
    let deleted = 0;
    for (const m of messages) if (await this.one(m)) deleted++;
    return deleted;
  }

  private async one(m: QueueMessage): Promise<boolean> {
    const event = parseInterruption(m.body);
    if (event.kind === 'malformed') {
      this.d.logger.warn(
        { message: m.id, reason: event.reason, body: m.body?.slice(0, 200) },
        'malformed interruption message deleted',
      );
      this.d.count('malformed', 'malformed');
      await this.d.queue.delete(m.receipt);
      return true;
    }
    try {
      const outcome = await this.handle(event);
      this.d.count(event.kind, outcome);
    } catch (e) {
      this.d.logger.error(
        { message: m.id, kind: event.kind, err: String(e) },
        'interruption not handled; it stays on the queue',
      );
      this.d.count(event.kind, 'failed');
      return false;
    }
    await this.d.queue.delete(m.receipt);
    return true;
  }

  private nodesOf(ids: readonly string[]): V1Node[] {
    const wanted = new Set(ids);
    return this.d.nodes().filter((n) => {
      const id = instanceIdOf(n.spec?.providerID);
      return id !== undefined && wanted.has(id) && n.metadata?.labels?.[LABEL.nodePool] !== undefined;
    });
  }

  private async handle(event: Interruption): Promise<Outcome> {
    if (event.kind === 'other' || event.kind === 'malformed') return 'ignored';
    const nodes = this.nodesOf(event.instanceIds);
    if (nodes.length === 0) return 'no-node';
    for (const node of nodes) {
      if (event.kind === 'rebalanceRecommendation') this.rebalance(node);
      else if (event.kind === 'stateChange') {
        if (GONE_STATES.has(event.state ?? '')) await this.gone(node, event.state ?? '');
        else return 'ignored';
      } else await this.interrupted(node, event.kind);
    }
    return 'handled';
  }

  private involved(node: V1Node) {
    const name = node.metadata?.name ?? '';
    return {
      apiVersion: 'v1',
      kind: 'Node',
      namespace: '',
      name,
      ...(node.metadata?.uid ? { uid: node.metadata.uid } : {}),
    };
  }

  private rebalance(node: V1Node): void {
    this.d.events.emit({
      involved: this.involved(node),
      type: 'Normal',
      reason: 'RebalanceRecommendation',
      message: 'EC2 recommends rebalancing: this spot instance is at elevated risk of interruption',
    });
  }

  private async gone(node: V1Node, state: string): Promise<void> {
    this.d.disrupted?.(
      node,
      state === 'stopping' || state === 'stopped' ? 'instance_stopped' : 'instance_terminated',
    );
    this.d.events.emit({
      involved: this.involved(node),
      type: 'Warning',
      reason: 'InstanceStopped',
      message: `its instance is ${state}: the Node is removed`,
    });
    await this.d.ops.terminate(node);
  }

  private async interrupted(
    node: V1Node,
    kind: 'spotInterruption' | 'reservationInterruption' | 'scheduledChange',
  ): Promise<void> {
    const labels = node.metadata?.labels ?? {};
    // The offering it ran on is taken back: spot, or the interruptible reservation (Karpenter marks
    // the reservation unavailable).
    const taken = { spotInterruption: 'spot', reservationInterruption: 'reserved', scheduledChange: '' }[
      kind
    ];
    if (taken !== '' && labels[LABEL.capacityType] === taken)
      this.d.markUnavailable([
        {
          instanceType: labels[LABEL.instanceType] ?? '',
          zone: labels[LABEL.zone] ?? '',
          capacityType: taken,
        },
      ]);
    const phase = node.metadata?.annotations?.[DISRUPTION_ANNOTATION];
    if (phase !== INTERRUPTION_PHASE) this.d.disrupted?.(node, KARPENTER_KIND[kind]);
    if (phase !== INTERRUPTION_PHASE)
      await this.d.ops.mark(node, INTERRUPTION_PHASE, { [SINCE_ANNOTATION]: this.d.clock().toISOString() });
    this.d.events.emit({
      involved: this.involved(node),
      type: 'Warning',
      reason: REASONS[kind],
      message: MESSAGES[kind],
    });
    this.d.logger.info({ node: node.metadata?.name, kind }, 'node interrupted');
    this.d.provisionNow();
    this.d.drainNow();
  }
}
