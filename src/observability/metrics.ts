/**
 * Berth's Prometheus metrics (DESIGN §8), on a registry of its own (never prom-client's global one),
 * so tests and two servers in one process do not share counters.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ControllerMetrics } from './controller-metrics.js';
import { DURATION_BUCKETS, KarpenterMetrics } from './karpenter-metrics.js';

export class Metrics {
  readonly registry = new Registry();
  readonly reviews = new Counter({
    name: 'berth_admission_reviews_total',
    help: 'Admission reviews answered, by webhook, operation, kind and verdict (allowed, denied, warned, skipped, error).',
    labelNames: ['webhook', 'operation', 'kind', 'verdict'] as const,
    registers: [this.registry],
  });
  readonly violations = new Counter({
    name: 'berth_rule_violations_total',
    help: 'Findings by rule and mode (enforce, warn, audit), audit-mode findings included.',
    labelNames: ['rule', 'mode', 'kind'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'berth_admission_review_duration_seconds',
    help: 'Time from receiving a review to answering it.',
    labelNames: ['webhook'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly rejectedReviews = new Counter({
    name: 'berth_admission_bad_requests_total',
    help: 'Bodies that were not a well-formed AdmissionReview, answered with a 4xx, by reason class.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly policyReloads = new Counter({
    name: 'berth_policy_reloads_total',
    help: 'policies.yaml reloads by result (applied, refused).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly policyRefused = new Gauge({
    name: 'berth_policy_refused',
    help: 'Whether the policies.yaml on disk is refused (1) and the last good one is in force, or applied (0).',
    registers: [this.registry],
  });
  readonly certExpiry = new Gauge({
    name: 'berth_certificate_expiry_timestamp_seconds',
    help: 'When the serving certificate expires (Unix seconds).',
    registers: [this.registry],
  });
  readonly connections = new Counter({
    name: 'berth_webhook_connections_total',
    help: 'TLS connections the webhook accepted. The API server keeps 25 idle connections to a webhook (HTTP/1.1): a burst of pod creations beyond that opens a connection, and a handshake, per review.',
    registers: [this.registry],
  });
  readonly gateBusy = new Counter({
    name: 'berth_gate_thread_busy_seconds_total',
    help: "Seconds the scheduling gate's thread spent working (its event loop utilisation): TLS handshakes, reading reviews, answering. Near 1 a second, the thread is the bottleneck of a burst's pod creations.",
    registers: [this.registry],
  });
  readonly cacheSynced = new Gauge({
    name: 'berth_cache_synced',
    help: '1 once the watch-fed cache of a resource has listed, by resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'berth_leader',
    help: '1 while this replica holds the Lease (runs the profile controller and the provisioner).',
    registers: [this.registry],
  });
  readonly provisionerBlocked = new Gauge({
    name: 'berth_provisioner_blocked',
    help: '1 while provisioner.mode is berth but another provisioner (a running Karpenter) keeps Berth from provisioning and disrupting.',
    registers: [this.registry],
  });
  readonly leaderDuty = new Gauge({
    name: 'berth_leader_duty_running',
    help: '1 while this leader duty runs on this replica (profiles, reports, disruption, node-classes, interruptions, provisioning).',
    labelNames: ['duty'] as const,
    registers: [this.registry],
  });
  readonly reportResults = new Gauge({
    name: 'berth_report_results',
    help: 'PolicyReport results of the background scan, by rule and result (pass, fail, warn, error, skip).',
    labelNames: ['rule', 'result'] as const,
    registers: [this.registry],
  });
  readonly reportScanDuration = new Histogram({
    name: 'berth_report_scan_duration_seconds',
    help: 'Time a background scan pass takes to judge the namespaces it covers (writes excluded).',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly reportWrites = new Counter({
    name: 'berth_report_writes_total',
    help: 'PolicyReport writes to the API server by verb (apply, delete) and result (ok, error).',
    labelNames: ['verb', 'result'] as const,
    registers: [this.registry],
  });
  readonly disruptionDecisions = new Counter({
    name: 'berth_disruption_decisions_total',
    help: 'Disruption decisions by method (expiration, emptiness, drift, multi-node, single-node) and result (started, aborted).',
    labelNames: ['method', 'result'] as const,
    registers: [this.registry],
  });
  readonly nodesDisrupted = new Counter({
    name: 'berth_disruption_nodes_total',
    help: 'Nodes drained and terminated by disruption, by method.',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });
  readonly nodeClaimsCollected = new Counter({
    name: 'berth_nodeclaims_garbage_collected_total',
    help: 'NodeClaims deleted because their instance was gone (kind="claim"), and instances terminated because no NodeClaim records them (kind="instance").',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly interruptionMessages = new Counter({
    name: 'berth_interruption_messages_total',
    help: 'Interruption queue messages by kind (spotInterruption, reservationInterruption, scheduledChange, rebalanceRecommendation, stateChange, other, malformed) and result (handled, no-node, ignored, failed, malformed).',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  readonly disruptionEvictions = new Counter({
    name: 'berth_disruption_evictions_total',
    help: 'Evictions through the Eviction API by result (evicted, gone, blocked: a PDB answered 429), and pods deleted once terminationGracePeriod ran out (deleted).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly surgeMoves = new Counter({
    name: 'berth_disruption_surge_moves_total',
    help: "Single-replica Deployments' pods moved surge-first off a node being disrupted (started), and moves left to eviction (fallback: the change refused, or the rollout stalled).",
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly nodesKept = new Gauge({
    name: 'berth_disruption_nodes_kept',
    help: 'Berth nodes disruption keeps now, by reason (do-not-disrupt, pdb, no-controller, budget, consolidate-after, not-ready, nominated, returning, backoff, min-savings, node-starting, not-cheaper).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly savedPerHour = new Counter({
    name: 'berth_disruption_saved_dollars_per_hour_total',
    help: 'USD per hour the disruptions carried out saved (the removed nodes less their replacements).',
    registers: [this.registry],
  });
  readonly addedPerHour = new Counter({
    name: 'berth_disruption_added_dollars_per_hour_total',
    help: 'USD per hour the disruptions carried out added: replacements dearer than the nodes they replaced (drift and expiration replace whatever the price).',
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'berth_provisioner_queue_depth',
    help: 'Pods waiting for the provisioner.',
    registers: [this.registry],
  });
  readonly podsDeferred = new Gauge({
    name: 'berth_provisioner_pods_deferred',
    help: 'Pods the last round left for later rounds (past provisioner.maxPodsPerRound).',
    registers: [this.registry],
  });
  readonly podsHeld = new Gauge({
    name: 'berth_provisioner_pods_held',
    help: 'Waiting pods the last round held on the joined node they were planned onto (the re-buy guard).',
    registers: [this.registry],
  });
  readonly podsGated = new Gauge({
    name: 'berth_provisioner_pods_gated',
    help: "Pods behind Berth's scheduling gate (berth.dev/capacity), waiting for the capacity planned for them.",
    registers: [this.registry],
  });
  readonly gatesLifted = new Counter({
    name: 'berth_provisioner_gates_lifted_total',
    help: 'Scheduling gates lifted, by reason: capacity (the pod has room), unplaceable (no NodePool takes it), expired (gated 5 minutes), off (gates off or the provisioner idle).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly pinsUndone = new Counter({
    name: 'berth_provisioner_pins_undone_total',
    help: 'Pods pinned to their planned Node as their gate came off, deleted for their controller to make again because the pin could not hold, by reason: node-gone, node-closed (cordoned or deleting), taint, no-room, unschedulable (kube-scheduler refused it 10 s).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly replicasCapped = new Counter({
    name: 'berth_provisioner_replicas_capped_total',
    help: "Admitted workloads planned for fewer replicas than they ask for (their profile's maxReplicas, their HPA, the NodePools' limits).",
    registers: [this.registry],
  });
  readonly plannerFailures = new Counter({
    name: 'berth_provisioner_planner_failures_total',
    help: 'Rounds whose plan did not come back from the solver thread, by reason (out-of-memory, crashed, timeout, error).',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly launchLatency = new Histogram({
    name: 'berth_provisioner_launch_duration_seconds',
    help: 'Time for a launch request (CreateFleet or simulated) to return.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly nodes = new Gauge({
    name: 'berth_nodes',
    help: 'Nodes Berth launched and tracks, by NodePool.',
    labelNames: ['nodepool'] as const,
    registers: [this.registry],
  });
  readonly cost = new Gauge({
    name: 'berth_cost_per_hour_dollars',
    help: 'Price per hour of the instances of the nodes Berth tracks, by NodePool.',
    labelNames: ['nodepool'] as const,
    registers: [this.registry],
  });
  readonly nodeCost = new Gauge({
    name: 'berth_node_cost_per_hour_dollars',
    help: "What the nodes Berth tracks cost beside their instances, by NodePool: their EBS volumes (the EC2NodeClass's blockDeviceMappings) and policies.yaml's provisioner.nodeCost.perNodePerHour.",
    labelNames: ['nodepool'] as const,
    registers: [this.registry],
  });

  /** Karpenter's metric names (its dashboards work against Berth), and the cost gauges. */
  readonly karpenter = new KarpenterMetrics(this.registry);
  /** controller-runtime's reconcile and workqueue metrics, one `controller` per leader duty. */
  readonly controllers = new ControllerMetrics(this.registry);
  readonly podProvisioning = new Histogram({
    name: 'berth_pod_provisioning_duration_seconds',
    help: 'Pods that waited for a node Berth launched: creation to the node Ready (stage="pending_to_node_ready"), the node Ready to the pod Ready (stage="node_ready_to_running"), and the whole (stage="pending_to_running").',
    labelNames: ['stage'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly joinFailures = new Counter({
    name: 'berth_node_join_failures_total',
    help: 'Launched instances given up because their Node did not join within --node-join-timeout, by reason (not-registered: no Node; not-ready: a Node that never became Ready).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly unschedulablePods = new Gauge({
    name: 'berth_unschedulable_pods',
    help: "Pods the provisioner's last round could not place, by namespace and reason (what berth plan would say, its first words).",
    labelNames: ['namespace', 'reason'] as const,
    registers: [this.registry],
  });
  readonly insufficientCapacity = new Counter({
    name: 'berth_cloud_insufficient_capacity_total',
    help: 'EC2 insufficient-capacity errors by offering: instance type, zone and capacity type.',
    labelNames: ['instance_type', 'zone', 'capacity_type'] as const,
    registers: [this.registry],
  });
  readonly drainsBlocked = new Counter({
    name: 'berth_drain_blocked_by_pdb_total',
    help: 'Evictions a PodDisruptionBudget refused (429) while draining, by the PDB.',
    labelNames: ['pdb_namespace', 'pdb_name'] as const,
    registers: [this.registry],
  });

  constructor(opts: { defaults?: boolean } = {}) {
    if (opts.defaults !== false) this.processMetrics();
  }

  /**
   * Event-loop lag and memory, computed when scraped. prom-client's collectDefaultMetrics would
   * also observe every garbage collection, which costs ~10% of throughput under admission load.
   */
  private processMetrics(): void {
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    new Gauge({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Event-loop lag since the last scrape, by quantile (p50, p99, max).',
      labelNames: ['quantile'] as const,
      registers: [this.registry],
      collect() {
        this.set({ quantile: '0.5' }, lag.percentile(50) / 1e9);
        this.set({ quantile: '0.99' }, lag.percentile(99) / 1e9);
        this.set({ quantile: '1' }, lag.max / 1e9);
        lag.reset();
      },
    });
    new Gauge({
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes.',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Gauge({
      name: 'nodejs_heap_used_bytes',
      help: 'V8 heap used in bytes.',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    });
  }
}
