/**
 * Node repair inside `berth serve` (Lease holder; `provisioner.nodeRepair: true`): a round whenever a
 * Node changes and every 10 s, and at the moment the next unhealthy node's toleration runs out.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EventSink } from '../../kube/events.js';
import type { LeaderCaches } from '../../kube/leader-caches.js';
import type { Metrics } from '../../observability/metrics.js';
import { reconcile } from '../../observability/controller-metrics.js';
import type { LivePolicies } from '../../policies/live.js';
import { nodeRef } from '../../provisioner/disruption/drain-nodes.js';
import type { NodeOps } from '../../provisioner/disruption/node-ops.js';
import { RepairController } from '../../provisioner/repair/controller.js';
import type { LeaderDuty } from '../duty.js';
import type { PoolView } from '../../scheduling/nodepool.js';

const ROUND_MS = 10_000;

export interface RepairWiring {
  readonly shared: LeaderCaches;
  readonly live: LivePolicies;
  /** The NodePools (their disruption budgets pace repair). */
  readonly pools: () => readonly PoolView[];
  readonly ops: Pick<NodeOps, 'mark'>;
  readonly provisionNow: () => void;
  readonly drainNow: () => void;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export class ClusterRepair implements LeaderDuty {
  readonly name = 'repair';
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private busy = false;
  private release: (() => void) | undefined;

  constructor(private readonly w: RepairWiring) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const nodes = this.w.shared.acquire<V1Node>('nodes');
    const pods = this.w.shared.acquire<V1Pod>('pods');
    const controller = new RepairController({
      nodes: () => nodes.list(),
      pools: this.w.pools,
      pods: () => pods.list(),
      ops: this.w.ops,
      involved: (n) => nodeRef(n.metadata?.name ?? '', n.metadata?.uid),
      provisionNow: this.w.provisionNow,
      drainNow: this.w.drainNow,
      events: this.w.events,
      metrics: this.w.metrics,
      logger: this.w.logger,
      clock: () => new Date(),
    });
    const tick = (): void => {
      if (!this.running || this.busy) return;
      if (
        !nodes.synced ||
        !this.w.live.current.nodeRepair ||
        this.w.live.current.provisionerMode !== 'berth'
      ) {
        this.schedule(tick, ROUND_MS);
        return;
      }
      this.busy = true;
      void reconcile(this.w.metrics.controllers, 'node.health', () => controller.round())
        .then((r) => {
          this.schedule(
            tick,
            r.next === undefined ? ROUND_MS : Math.min(ROUND_MS, Math.max(0, r.next - Date.now())),
          );
        })
        .catch((e: unknown) => {
          this.w.logger.error({ err: String(e) }, 'node repair round failed');
          this.schedule(tick, ROUND_MS);
        })
        .finally(() => {
          this.busy = false;
        });
    };
    this.release = nodes.onChange(() => {
      if (!this.busy) this.schedule(tick, 0);
    });
    this.schedule(tick, 0);
  }

  private schedule(f: () => void, ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(f, ms);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.release?.();
    this.release = undefined;
    await this.w.shared.release('nodes');
    await this.w.shared.release('pods');
  }
}
