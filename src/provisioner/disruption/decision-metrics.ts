/** A disruption decision in Karpenter's metrics (its dashboards' "Disruption Actions" and "Node Disruptions"). */
import { LABEL } from '../../catalog/instance-type.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Decision } from './methods.js';

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

/** A decision in Karpenter's metrics: decisions_total (voluntary ones) and each claim's disrupted_total. */
export function karpenterDecision(metrics: Metrics, decision: Decision): void {
  const k = KARPENTER_REASON[decision.method];
  if (!k) return;
  const labels = {
    decision: decision.launch.length > 0 ? 'replace' : 'delete',
    reason: k.reason,
    consolidation_type: k.type,
  };
  if (decision.method !== 'expiration') {
    metrics.karpenter.decisions.inc(labels);
    const pools = new Set(decision.remove.map((n) => n.node.metadata?.labels?.[LABEL.nodePool] ?? ''));
    for (const nodepool of pools) metrics.karpenter.decisionsByPool.inc({ ...labels, nodepool });
  }
  for (const n of decision.remove) {
    const node = n.node.metadata?.labels ?? {};
    metrics.karpenter.nodeClaimsDisrupted.inc({
      reason: k.reason,
      nodepool: node[LABEL.nodePool] ?? '',
      capacity_type: node[LABEL.capacityType] ?? '',
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
