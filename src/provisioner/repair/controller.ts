/**
 * Node repair in the cluster (Lease holder; `provisioner.nodeRepair: true`, off by default as
 * Karpenter's NodeRepair gate is): each round reads Berth's Nodes and NodePools, and the node
 * unhealthy longest past its toleration (health.ts) whose pool's budget for Unhealthy allows it is marked `draining:repair` with the disruption taint — the provisioner plans
 * its pods at once, so their capacity is launching while the drain evicts them through the Eviction
 * API (PDBs hold; a pod that is not Ready and that a PDB refuses is deleted, which takes nothing from
 * the budget's healthy count), and the instance is terminated once it is empty. A pool with more than
 * 20% unhealthy nodes is not repaired: `NodeRepairBlocked` on the node, every 15 minutes at most.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { LABEL } from '../../catalog/instance-type.js';
import type { EventSink, InvolvedObject } from '../../kube/events.js';
import type { Metrics } from '../../observability/metrics.js';
import { IMAGE_LABEL } from '../../scheduling/nodepool.js';
import { disruptedContext, karpenterDisrupted, snakeCase } from '../disruption/decision-metrics.js';
import { isDraining, REPAIR_PHASE, SINCE_ANNOTATION } from '../disruption/marks.js';
import type { NodeOps } from '../disruption/node-ops.js';
import { allowance, readBudgets } from '../disruption/budgets.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { repairSteps, type RepairBudget, type RepairStep, type Unhealthy } from './health.js';

const BLOCKED_EVERY_MS = 15 * 60_000;
/** A node held by the budget (or by another repair this round) is looked at again this soon. */
const RETRY_MS = 10_000;

export interface RepairDeps {
  /** Berth's Nodes, from the leader's cache. */
  readonly nodes: () => readonly V1Node[];
  /** The NodePools, whose budgets with reason Unhealthy pace repair (Karpenter v1.15). */
  readonly pools: () => readonly PoolView[];
  /** The pods, for the count of those each repair reschedules. */
  readonly pods?: () => readonly V1Pod[];
  readonly ops: Pick<NodeOps, 'mark'>;
  readonly involved: (node: V1Node) => InvolvedObject;
  readonly provisionNow: () => void;
  readonly drainNow: () => void;
  readonly events: EventSink;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clock: () => Date;
}

const since = (u: Unhealthy) => new Date(u.since).toISOString();

export class RepairController {
  /** When each node's NodeRepairBlocked was last said (ms). */
  private readonly blockedAt = new Map<string, number>();

  constructor(private readonly d: RepairDeps) {}

  /** One round: the steps taken, and when the next node's toleration runs out (ms), if one is waiting. */
  async round(): Promise<{ steps: RepairStep[]; next: number | undefined }> {
    const now = this.d.clock().getTime();
    const skip = (n: V1Node) => n.metadata?.deletionTimestamp !== undefined || isDraining(n);
    const pools = new Map(this.d.pools().map((p) => [p.name, p]));
    const budget: RepairBudget = (name, counts) => {
      const pool = pools.get(name);
      return pool
        ? allowance(readBudgets(pool.pool), 'Unhealthy', counts, new Date(now))
        : { allowed: Number.POSITIVE_INFINITY, why: 'no NodePool' };
    };
    const steps = repairSteps(this.d.nodes(), now, skip, budget);
    let next: number | undefined;
    let repaired = 0;
    for (const s of steps) {
      if (s.kind === 'wait') next = Math.min(next ?? s.unhealthy.repairAt, s.unhealthy.repairAt);
      else if (s.kind === 'blocked') this.blocked(s.node, s.why, now);
      else if (s.kind === 'budget') next = Math.min(next ?? now + RETRY_MS, now + RETRY_MS);
      else {
        await this.repair(s.node, s.unhealthy, now);
        repaired += 1;
      }
    }
    if (repaired > 0) {
      this.d.provisionNow();
      this.d.drainNow();
    }
    return { steps, next };
  }

  private async repair(node: V1Node, u: Unhealthy, now: number): Promise<void> {
    const labels = node.metadata?.labels ?? {};
    await this.d.ops.mark(node, REPAIR_PHASE, { [SINCE_ANNOTATION]: new Date(now).toISOString() });
    karpenterDisrupted(
      this.d.metrics,
      'unhealthy',
      [node],
      disruptedContext(this.d.pools(), this.d.pods?.() ?? []),
    );
    this.d.metrics.karpenter.nodeClaimsUnhealthyDisrupted.inc({
      condition: snakeCase(u.condition),
      nodepool: labels[LABEL.nodePool] ?? '',
      capacity_type: labels[LABEL.capacityType] ?? '',
      image_id: labels[IMAGE_LABEL] ?? '',
    });
    this.d.events.emit({
      involved: this.d.involved(node),
      type: 'Warning',
      reason: 'NodeRepair',
      message: `${u.condition} has been ${u.status} since ${since(u)}: the node is replaced, its pods drained through the Eviction API`,
    });
    this.d.logger.info(
      { node: node.metadata?.name, condition: u.condition, status: u.status },
      'repairing unhealthy node',
    );
  }

  private blocked(node: V1Node, why: string, now: number): void {
    const name = node.metadata?.name ?? '';
    if (now - (this.blockedAt.get(name) ?? Number.NEGATIVE_INFINITY) < BLOCKED_EVERY_MS) return;
    this.blockedAt.set(name, now);
    this.d.events.emit({
      involved: this.d.involved(node),
      type: 'Warning',
      reason: 'NodeRepairBlocked',
      message: why,
    });
  }
}
