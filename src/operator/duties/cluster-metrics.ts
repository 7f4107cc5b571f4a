/**
 * The leader's metrics of the cluster: while it runs, /metrics serves Karpenter's node, pod and
 * NodePool gauges and Berth's cost per workload class from the leader's caches (computed when
 * scraped), and counts NodeClaims and pods as they change (src/observability/lifecycle-observer.ts).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Catalog } from '../../catalog/catalog.js';
import type { InformerClusterView } from '../../kube/cluster-view.js';
import type { LeaderCaches } from '../../kube/leader-caches.js';
import type { KubeObject } from '../../kube/objects.js';
import { LifecycleObserver } from '../../observability/lifecycle-observer.js';
import type { Metrics } from '../../observability/metrics.js';
import { reconcileSync } from '../../observability/controller-metrics.js';
import type { LeaderDuty } from '../duty.js';
import type { SolverInput } from '../../provisioner/solver/model.js';
import { nodeCostsByPool } from '../../provisioner/solver/pools.js';

export interface ClusterMetricsDeps {
  readonly shared: LeaderCaches;
  readonly view: Pick<InformerClusterView, 'resources' | 'nodePools'>;
  readonly catalog: () => Catalog;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** In mode karpenter, Karpenter serves its own metrics: Berth serves only its cost gauges then. */
  readonly mode: () => string;
  /** policies.yaml provisioner.nodeCost, live: nodes are costed whole (instance, volumes, per node). */
  readonly nodeCost?: () => NonNullable<SolverInput['nodeCost']>;
}

const CACHES = ['pods', 'nodes', 'nodeClaims'] as const;

export class ClusterMetrics implements LeaderDuty {
  readonly name = 'cluster-metrics';
  private unsubscribe: (() => void)[] = [];

  constructor(private readonly d: ClusterMetricsDeps) {}

  start(): void {
    const pods = this.d.shared.acquire<V1Pod>('pods');
    const nodes = this.d.shared.acquire<V1Node>('nodes');
    const claims = this.d.shared.acquire<KubeObject>('nodeClaims');
    const observer = new LifecycleObserver(this.d.metrics, () => Date.now());
    const nodeOf = (name: string) => nodes.get(name);
    const m = this.d.metrics.controllers;
    this.unsubscribe = [
      claims.onChange((c, verb) => {
        if (this.d.mode() === 'berth')
          reconcileSync(m, 'metrics.nodeclaim', () => {
            observer.claim(c, verb, claims.synced);
          });
      }),
      pods.onChange((p, verb) => {
        if (this.d.mode() === 'berth')
          reconcileSync(m, 'metrics.pod', () => {
            observer.pod(p, verb, pods.synced, nodeOf);
          });
      }),
    ];
    this.d.metrics.karpenter.cluster = () =>
      nodes.synced
        ? {
            nodes: nodes.list(),
            pods: pods.list(),
            nodePools: this.d.view.resources.nodePools.list() as KubeObject[],
            nodeClaims: claims.list(),
            catalog: this.d.catalog(),
            pools: this.d.view.nodePools,
            nodeCostOf: nodeCostsByPool(
              this.d.nodeCost ? { nodeCost: this.d.nodeCost() } : {},
              this.d.view.nodePools,
            ),
            ...(this.d.metrics.karpenter.eligibleNow
              ? { eligible: this.d.metrics.karpenter.eligibleNow }
              : {}),
            karpenterNames: this.d.mode() === 'berth',
          }
        : undefined;
    this.d.logger.info('serving the cluster gauges (Karpenter names, cost per workload class)');
  }

  async stop(): Promise<void> {
    this.d.metrics.karpenter.cluster = undefined;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    await Promise.all(CACHES.map((k) => this.d.shared.release(k)));
  }
}
