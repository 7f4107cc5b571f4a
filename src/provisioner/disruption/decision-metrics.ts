/** A disruption decision in Karpenter's metrics (its dashboards' "Disruption Actions" and "Node Disruptions"). */
import { LABEL } from '../../catalog/instance-type.js';
import type { Metrics } from '../../observability/metrics.js';

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

type Labelled = { readonly metadata?: { readonly labels?: Readonly<Record<string, string>> } };

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

/**
 * Each node's claim disrupted, with Karpenter's reason: voluntary methods when their drain starts (the
 * queue deletes the claims once the replacements are ready), involuntary ones — `spot_interrupted`,
 * `insufficient_capacity`, `registration_timeout`, `garbage_collected`, … — where they happen.
 */
export function karpenterDisrupted(metrics: Metrics, reason: string, nodes: readonly Labelled[]): void {
  // A static pool's scale-down is Karpenter's static deprovisioning, which counts no disruption.
  if (reason === 'scale-down') return;
  const r = KARPENTER_REASON[reason]?.reason ?? reason;
  for (const n of nodes) {
    const labels = n.metadata?.labels ?? {};
    metrics.karpenter.nodeClaimsDisrupted.inc({
      reason: r,
      nodepool: labels[LABEL.nodePool] ?? '',
      capacity_type: labels[LABEL.capacityType] ?? '',
    });
  }
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
