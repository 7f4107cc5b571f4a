/**
 * Interruptions inside `berth serve --cloud aws --interruption-queue NAME` (Lease holder only): the
 * queue is long-polled while this replica leads; each message goes to the InterruptionController.
 */
import { karpenterDisrupted } from '../../provisioner/disruption/decision-metrics.js';
import type { V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EventSink } from '../../kube/events.js';
import type { LeaderCaches } from '../../kube/leader-caches.js';
import type { Metrics } from '../../observability/metrics.js';
import { reconcile } from '../../observability/controller-metrics.js';
import type { UnavailableOfferings } from '../../provisioner/cloud/unavailable.js';
import type { NodeOps } from '../../provisioner/disruption/node-ops.js';
import { InterruptionController } from '../../provisioner/interruption/controller.js';
import type { InterruptionQueue } from '../../provisioner/interruption/queue.js';
import type { LeaderDuty } from '../duty.js';

const BACKOFF_MS = 5000;

export interface InterruptionWiring {
  readonly queue: InterruptionQueue;
  readonly shared: LeaderCaches;
  readonly ops: Pick<NodeOps, 'mark' | 'terminate'>;
  readonly unavailable: UnavailableOfferings;
  readonly provisionNow: () => void;
  readonly drainNow: () => void;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export class ClusterInterruptions implements LeaderDuty {
  readonly name = 'interruptions';
  private running = false;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;

  constructor(private readonly w: InterruptionWiring) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const nodes = this.w.shared.acquire<V1Node>('nodes');
    const controller = new InterruptionController({
      queue: this.w.queue,
      nodes: () => nodes.list(),
      ops: this.w.ops,
      markUnavailable: (o) => {
        this.w.unavailable.mark(o);
      },
      disrupted: (node, reason) => {
        karpenterDisrupted(this.w.metrics, reason, [node]);
      },
      provisionNow: this.w.provisionNow,
      drainNow: this.w.drainNow,
      events: this.w.events,
      logger: this.w.logger,
      count: (kind, result) => {
        this.w.metrics.interruptionMessages.inc({ kind, result });
      },
      clock: () => new Date(),
    });
    this.loop = this.run(controller, () => nodes.synced);
    this.w.logger.info('interruption queue polled');
  }

  private async run(controller: InterruptionController, synced: () => boolean): Promise<void> {
    while (this.running) {
      try {
        // Until the Node cache has listed, a message would find no node: leave them on the queue.
        this.abort = new AbortController();
        const signal = this.abort.signal;
        if (synced())
          await reconcile(this.w.metrics.controllers, 'interruption', () => controller.poll(signal));
        else await new Promise((r) => setTimeout(r, 500));
      } catch (e) {
        if (this.abort?.signal.aborted === true) break;
        this.w.logger.error({ err: String(e) }, 'interruption queue not read');
        await new Promise((r) => setTimeout(r, BACKOFF_MS));
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort?.abort();
    await this.loop;
    await this.w.shared.release('nodes');
  }
}
