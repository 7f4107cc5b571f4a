/** A disruption decision in Karpenter's metrics (its dashboards' "Disruption Actions" and "Node Disruptions"). */
import { LABEL } from '../../catalog/instance-type.js';
import type { Metrics } from '../../observability/metrics.js';
import { parseGoDuration } from '../../util/go-duration.js';
import type { V1Pod } from '@kubernetes/client-node';
import type { PoolView } from '../../scheduling/nodepool.js';
import { moves } from './pods.js';

/** Karpenter's reason and consolidation type of a disruption method (expiration is not voluntary). */
const KARPENTER_REASON: Record<string, { reason: string; type: string } | undefined> = {
  emptiness: { reason: 'empty', type: 'empty' },
  'multi-node': { reason: 'underutilized', type: 'multi' },
  'single-node': { reason: 'underutilized', type: 'single' },
  drift: { reason: 'drifted', type: '' },
  expiration: { reason: 'expired', type: '' },
};

/** Karpenter's reason of a disruption method (`underutilized`, `empty`, `drifted`, `expired`). */
export function karpenterReason(method: string): string {
  return KARPENTER_REASON[method]?.reason ?? method;
}

export type Labelled = {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
  /** A NodeClaim's: its terminationGracePeriod says its termination mode. */
  readonly spec?: unknown;
};

/** A NodeClaim's own terminationGracePeriod (a Node has none). */
function claimGracePeriod(n: Labelled): string | undefined {
  const v = (n.spec as { terminationGracePeriod?: unknown } | undefined)?.terminationGracePeriod;
  return typeof v === 'string' ? v : undefined;
}

/**
 * A decision once it is validated and under way, as Karpenter's queue counts it when it marks the
 * nodes (disruption/queue.go markDisrupted): decisions_total and per NodePool, voluntary ones only (an
 * abandoned decision is never counted).
 */
export function karpenterDecided(
  metrics: Metrics,
  method: string,
  replace: boolean,
  nodes: readonly Labelled[],
): void {
  const k = KARPENTER_REASON[method];
  if (!k || method === 'expiration') return;
  const labels = { decision: replace ? 'replace' : 'delete', reason: k.reason, consolidation_type: k.type };
  metrics.karpenter.decisions.inc(labels);
  const pools = new Set(nodes.map((n) => n.metadata?.labels?.[LABEL.nodePool] ?? ''));
  for (const nodepool of pools) metrics.karpenter.decisionsByPool.inc({ ...labels, nodepool });
}

/** What the disrupted nodes' labels cannot say: their pool's policy and drain bound, their pods. */
export interface DisruptedContext {
  /** The NodePool's consolidationPolicy (`WhenEmptyOrUnderutilized`, `WhenEmpty`, `Balanced`). */
  readonly policy?: (node: Labelled) => string | undefined;
  /** The node's claim's terminationGracePeriod (its NodePool template's), if any. */
  readonly terminationGracePeriod?: (node: Labelled) => string | undefined;
  /**
   * The pods the disruption reschedules (not DaemonSet or mirror pods, not terminal or terminating);
   * absent where Karpenter counts none (interruption, launch and liveness failures).
   */
  readonly reschedulablePods?: (node: Labelled) => number;
}

/** The context from the pools and pods a controller already holds. */
export function disruptedContext(pools: readonly PoolView[], pods: readonly V1Pod[]): DisruptedContext {
  const byName = new Map(pools.map((p) => [p.name, p.pool]));
  const poolOf = (n: Labelled) => byName.get(n.metadata?.labels?.[LABEL.nodePool] ?? '');
  let perNode: Map<string, number> | undefined;
  return {
    policy: (n: Labelled) =>
      poolOf(n)?.spec.disruption?.consolidationPolicy ?? (poolOf(n) ? 'WhenEmptyOrUnderutilized' : undefined),
    terminationGracePeriod: (n: Labelled) => poolOf(n)?.spec.template.spec.terminationGracePeriod,
    reschedulablePods: (n: Labelled) => {
      if (!perNode) {
        perNode = new Map();
        for (const p of pods) {
          const node = p.spec?.nodeName;
          if (node !== undefined && moves(p)) perNode.set(node, (perNode.get(node) ?? 0) + 1);
        }
      }
      return perNode.get(n.metadata?.name ?? '') ?? 0;
    },
  };
}

/**
 * Go's pretty.ToSnakeCase, as Karpenter writes label values: `WhenEmptyOrUnderutilized` →
 * `when_empty_or_underutilized`, `AcceleratedHardwareReady` → `accelerated_hardware_ready`.
 */
export const snakeCase = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** nodeclaimutils.DisruptionTerminationMode: no grace period graceful, 0 forceful, any other eventual. */
export function terminationMode(terminationGracePeriod: string | undefined): string {
  if (terminationGracePeriod === undefined) return 'graceful';
  const ms = parseGoDuration(terminationGracePeriod);
  return ms !== undefined && ms <= 0 ? 'forceful' : 'eventual';
}

function disruptedLabels(n: Labelled, reason: string, policy: string | undefined, ctx: DisruptedContext) {
  const labels = n.metadata?.labels ?? {};
  return {
    reason,
    nodepool: labels[LABEL.nodePool] ?? '',
    capacity_type: labels[LABEL.capacityType] ?? '',
    consolidation_policy: policy === undefined ? '' : snakeCase(policy),
    termination_mode: terminationMode(ctx.terminationGracePeriod?.(n) ?? claimGracePeriod(n)),
  };
}

/**
 * Each node's claim disrupted, with Karpenter's reason: voluntary methods when their drain starts (the
 * queue deletes the claims once the replacements are ready), involuntary ones — `spot_interrupted`,
 * `insufficient_capacity`, `registration_timeout`, `garbage_collected`, … — where they happen. As in
 * Karpenter v1.15 (disruption/queue.go recordCandidateDisrupted): labelled with the pool's
 * consolidation policy (consolidation only) and the claim's termination mode, and
 * `karpenter_pods_disruption_initiated_total` grows by the pods each disruption reschedules.
 */
export function karpenterDisrupted(
  metrics: Metrics,
  reason: string,
  nodes: readonly Labelled[],
  ctx: DisruptedContext = {},
): void {
  // A static pool's scale-down is Karpenter's static deprovisioning, which counts no disruption.
  if (reason === 'scale-down') return;
  const k = KARPENTER_REASON[reason];
  const consolidation = k !== undefined && k.type !== '';
  for (const n of nodes) {
    const l = disruptedLabels(n, k?.reason ?? reason, consolidation ? ctx.policy?.(n) : undefined, ctx);
    metrics.karpenter.nodeClaimsDisrupted.inc(l);
    if (ctx.reschedulablePods) metrics.karpenter.podsDisruptionInitiated.inc(l, ctx.reschedulablePods(n));
  }
}

/** A decision's drain starts: its claims disrupted in Karpenter's metrics; its $/h change, for its Events. */
export function drainStarted(
  metrics: Metrics,
  method: string,
  nodes: readonly Labelled[],
  ctx: DisruptedContext,
  saved: number | undefined,
): string {
  karpenterDisrupted(metrics, method, nodes, ctx);
  return saved !== undefined ? `; ${costChange(metrics, saved)}` : '';
}

/**
 * What a drained decision changes in $/h, counted and put in words for its Events. Consolidation only
 * ever saves; drift and expiration replace whatever the price, so theirs may cost more, which the
 * other counter takes (a Prometheus counter never goes down).
 */
export function costChange(metrics: Metrics, saved: number): string {
  if (saved >= 0) {
    metrics.savedPerHour.inc(saved);
    return `saves $${saved.toFixed(4)}/h`;
  }
  metrics.addedPerHour.inc(-saved);
  return `costs $${(-saved).toFixed(4)}/h more`;
}
