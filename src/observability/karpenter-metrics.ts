/**
 * Karpenter's metrics, by Karpenter's names, labels and units where Berth's meaning is the same
 * (kubernetes-sigs/karpenter pkg/metrics, pkg/controllers/metrics/{node,pod,nodepool},
 * pkg/controllers/disruption/metrics.go, pkg/cloudprovider/metrics), so the Grafana dashboards
 * Karpenter publishes work against Berth in mode berth unchanged. Counters and summaries are
 * observed where the event happens; the gauges are computed when scraped from the leader's caches
 * (`cluster()`, undefined on a replica that does not lead: it serves none of them).
 */
import { Counter, Gauge, Histogram, type Registry, type Summary } from 'prom-client';
import { SlidingSummary } from './sliding-summary.js';
import { clusterSeries, type ClusterSnapshot, type Series } from './cluster-series.js';

/** Karpenter's SummaryObjectives: quantiles 0, 0.5, 0.9, 0.99, 1. */
const QUANTILES = [0, 0.5, 0.9, 0.99, 1];
/** Karpenter's DurationBuckets (controller-runtime's, with longer ones). */
export const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60, 120, 150, 300, 450,
  600,
];

/** Node labels Karpenter's node gauges carry (its well-known labels, snake_cased). */
export const NODE_LABELS = [
  'node_name',
  'phase',
  'managed',
  'nodepool',
  'zone',
  'region',
  'instance_type',
  'arch',
  'os',
  'capacity_type',
  'windows_build',
  'instance_cpu',
  'instance_memory',
  'instance_category',
  'instance_family',
  'instance_generation',
  'instance_size',
  'resource_type',
] as const;
export const POD_LABELS = [
  'name',
  'namespace',
  'owner',
  'node',
  'scheduled',
  'nodepool',
  'zone',
  'arch',
  'capacity_type',
  'instance_type',
  'phase',
  'ready',
  'managed',
] as const;

type SeriesSet = ReturnType<typeof clusterSeries>;

/** A gauge whose series are computed when scraped, from the leader's snapshot (none without one). */
function scraped(
  registry: Registry,
  source: () => SeriesSet | undefined,
  def: {
    name: string;
    help: string;
    labelNames: readonly string[];
    pick: (s: SeriesSet) => readonly Series[];
  },
): Gauge {
  return new Gauge({
    name: def.name,
    help: def.help,
    labelNames: def.labelNames,
    registers: [registry],
    collect() {
      this.reset();
      const s = source();
      if (!s) return;
      for (const row of def.pick(s)) this.set(row.labels, row.value);
    },
  });
}

export class KarpenterMetrics {
  /** The leader's view of the cluster, set by the cluster-metrics duty while it runs. */
  cluster: (() => ClusterSnapshot | undefined) | undefined;
  /** The nodes eligible for disruption by reason, as the leader's last disruption seek counted them. */
  eligibleNow: Readonly<Record<'drifted' | 'underutilized' | 'empty', number>> | undefined;
  private memo: { at: number; series: ReturnType<typeof clusterSeries> } | undefined;

  readonly nodeClaimsCreated: Counter;
  readonly nodeClaimsTerminated: Counter;
  readonly nodeClaimsDisrupted: Counter;
  readonly podsDisruptionInitiated: Counter;
  readonly nodesCreated: Counter;
  readonly nodesTerminated: Counter;
  readonly nodesTerminationDuration: Summary;
  readonly podsStartupDuration: Summary;
  readonly decisions: Counter;
  readonly decisionsByPool: Counter;
  readonly schedulingDuration: Histogram;
  readonly cloudErrors: Counter;
  readonly consolidationScore: Histogram;
  readonly nodeClaimsUnhealthyDisrupted: Counter;
  readonly consolidationMoves: Counter;

  constructor(registry: Registry) {
    const reg = [registry];
    this.nodeClaimsCreated = new Counter({
      name: 'karpenter_nodeclaims_created_total',
      help: 'Number of nodeclaims created in total by Berth. Labeled by reason the nodeclaim was created, the owning nodepool, and if min values was relaxed for this nodeclaim.',
      labelNames: ['reason', 'nodepool', 'min_values_relaxed'],
      registers: reg,
    });
    this.nodeClaimsTerminated = new Counter({
      name: 'karpenter_nodeclaims_terminated_total',
      help: 'Number of nodeclaims terminated in total by Berth. Labeled by the owning nodepool, capacity type, and zone.',
      labelNames: ['nodepool', 'capacity_type', 'zone'],
      registers: reg,
    });
    this.nodeClaimsDisrupted = new Counter({
      name: 'karpenter_nodeclaims_disrupted_total',
      help: 'Number of nodeclaims disrupted in total by Berth. Labeled by reason the nodeclaim was disrupted, the owning nodepool, the capacity type, the consolidation policy, and the termination mode.',
      labelNames: ['reason', 'nodepool', 'capacity_type', 'consolidation_policy', 'termination_mode'],
      registers: reg,
    });
    this.podsDisruptionInitiated = new Counter({
      name: 'karpenter_pods_disruption_initiated_total',
      help: 'Number of pod disruptions initiated in total by Berth, incremented by the reschedulable pod count whenever the underlying nodeclaim is disrupted. Labeled by reason the nodeclaim was disrupted, the owning nodepool, the capacity type, the consolidation policy, and the termination mode. Pods owned by DaemonSets and mirror pods are excluded.',
      labelNames: ['reason', 'nodepool', 'capacity_type', 'consolidation_policy', 'termination_mode'],
      registers: reg,
    });
    this.nodesCreated = new Counter({
      name: 'karpenter_nodes_created_total',
      help: 'Number of nodes created in total by Berth. Labeled by owning nodepool and zone.',
      labelNames: ['nodepool', 'zone'],
      registers: reg,
    });
    this.nodesTerminated = new Counter({
      name: 'karpenter_nodes_terminated_total',
      help: 'Number of nodes terminated in total by Berth. Labeled by owning nodepool and zone.',
      labelNames: ['nodepool', 'zone'],
      registers: reg,
    });
    this.nodesTerminationDuration = new SlidingSummary({
      name: 'karpenter_nodes_termination_duration_seconds',
      help: "The time taken between a node's deletion request and the removal of its finalizer",
      labelNames: ['nodepool'],
      percentiles: QUANTILES,
      registers: reg,
    });
    this.podsStartupDuration = new SlidingSummary({
      name: 'karpenter_pods_startup_duration_seconds',
      help: 'The time from pod creation until the pod is running.',
      percentiles: QUANTILES,
      registers: reg,
    });
    this.decisions = new Counter({
      name: 'karpenter_voluntary_disruption_decisions_total',
      help: 'Number of disruption decisions performed. Labeled by disruption decision, reason, and consolidation type.',
      labelNames: ['decision', 'reason', 'consolidation_type'],
      registers: reg,
    });
    this.decisionsByPool = new Counter({
      name: 'karpenter_voluntary_disruption_decisions_by_nodepool_total',
      help: 'Number of disruption decisions performed by nodepool. Labeled by nodepool name, disruption decision, reason, and consolidation type.',
      labelNames: ['nodepool', 'decision', 'reason', 'consolidation_type'],
      registers: reg,
    });
    this.schedulingDuration = new Histogram({
      name: 'karpenter_scheduler_scheduling_duration_seconds',
      help: 'Duration of scheduling simulations used for deprovisioning and provisioning in seconds.',
      labelNames: ['controller'],
      buckets: DURATION_BUCKETS,
      registers: reg,
    });
    this.cloudErrors = new Counter({
      name: 'karpenter_cloudprovider_errors_total',
      help: 'Total number of errors returned from CloudProvider calls.',
      labelNames: ['controller', 'method', 'provider', 'error'],
      registers: reg,
    });
    this.consolidationScore = new Histogram({
      name: 'karpenter_consolidation_score',
      help: 'Score of balanced consolidation moves. Labeled by decision, NodePool, and policy.',
      labelNames: ['decision', 'nodepool', 'policy'],
      buckets: [0.1, 0.25, 0.33, 0.5, 1.0, 2.0, 5.0, 10.0],
      registers: reg,
    });
    this.nodeClaimsUnhealthyDisrupted = new Counter({
      name: 'karpenter_nodeclaims_unhealthy_disrupted_total',
      help: 'Number of unhealthy nodeclaims disrupted in total by Berth. Labeled by condition on the node was disrupted, the owning nodepool, and the image ID.',
      labelNames: ['condition', 'nodepool', 'capacity_type', 'image_id'],
      registers: reg,
    });
    this.consolidationMoves = new Counter({
      name: 'karpenter_consolidation_moves_total',
      help: 'Number of balanced consolidation moves. Labeled by decision, NodePool, and policy.',
      labelNames: ['decision', 'nodepool', 'policy'],
      registers: reg,
    });
    const source = () => this.series();
    const nodeHelp = (what: string) => `Node ${what}, by node and resource type (Karpenter's node gauges).`;
    scraped(registry, source, {
      name: 'karpenter_nodes_allocatable',
      help: nodeHelp('allocatable are the resources allocatable by nodes'),
      labelNames: NODE_LABELS,
      pick: (s) => s.allocatable,
    });
    scraped(registry, source, {
      name: 'karpenter_nodes_total_pod_requests',
      help: nodeHelp(
        'total pod requests are the resources requested by pods bound to nodes, including the DaemonSet pods',
      ),
      labelNames: NODE_LABELS,
      pick: (s) => s.podRequests,
    });
    scraped(registry, source, {
      name: 'karpenter_nodes_total_daemon_requests',
      help: nodeHelp('total daemon requests are the resource requested by DaemonSet pods bound to nodes'),
      labelNames: NODE_LABELS,
      pick: (s) => s.daemonRequests,
    });
    scraped(registry, source, {
      name: 'karpenter_pods_state',
      help: 'Pod state is the current state of pods, labeled by the pod name, namespace, owner, node, nodepool name, zone, architecture, capacity type, instance type, pod phase, and pod readiness.',
      labelNames: POD_LABELS,
      pick: (s) => s.pods,
    });
    scraped(registry, source, {
      name: 'karpenter_nodepools_usage',
      help: 'The amount of resources that have been provisioned for a nodepool. Labeled by nodepool name and resource type.',
      labelNames: ['resource_type', 'nodepool'],
      pick: (s) => s.poolUsage,
    });
    scraped(registry, source, {
      name: 'karpenter_nodepools_limit',
      help: 'Limits specified on the nodepool that restrict the quantity of resources provisioned. Labeled by nodepool name and resource type.',
      labelNames: ['resource_type', 'nodepool'],
      pick: (s) => s.poolLimits,
    });
    scraped(registry, source, {
      name: 'karpenter_voluntary_disruption_eligible_nodes',
      help: 'Number of nodes eligible for disruption by Berth. Labeled by disruption reason.',
      labelNames: ['reason'],
      pick: (s) => s.eligible,
    });
    scraped(registry, source, {
      name: 'berth_cost_usd_per_hour',
      help: "USD per hour of the nodes' price attributed to their pods by share of allocatable (the larger of CPU and memory), by namespace, runtime class, workload and NodePool.",
      labelNames: ['namespace', 'class', 'workload', 'nodepool'],
      pick: (s) => s.cost,
    });
    scraped(registry, source, {
      name: 'berth_cost_idle_usd_per_hour',
      help: "USD per hour of the nodes' capacity no pod requests, by NodePool.",
      labelNames: ['nodepool'],
      pick: (s) => s.idle,
    });
  }

  /** The scrape-time series, computed once per scrape (all the gauges read the same snapshot). */
  private series(): ReturnType<typeof clusterSeries> | undefined {
    const snapshot = this.cluster?.();
    if (!snapshot) return undefined;
    const now = Date.now();
    if (this.memo && now - this.memo.at < 1000) return this.memo.series;
    this.memo = { at: now, series: clusterSeries(snapshot) };
    return this.memo.series;
  }
}
