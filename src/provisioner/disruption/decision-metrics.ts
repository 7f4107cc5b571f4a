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
