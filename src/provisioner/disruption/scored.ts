/**
 * A Balanced move scored, as Karpenter reports it (disruption/balanced.go): every move counted in
 * `karpenter_consolidation_moves_total` and its score in `karpenter_consolidation_score` by decision,
 * NodePool and policy; an approved single-node move says so on its Node (and NodeClaim), an approved
 * multi-node one on each NodePool, in `ConsolidationApproved` Events. Rejections are counted, not
 * Evented (under Balanced they would bury the approvals); `kept` says why each node stays.
 */
import type { EventSink, InvolvedObject } from '../../kube/events.js';
import type { Metrics } from '../../observability/metrics.js';
import { scoreMessage, type ScoredMove } from './balanced.js';

const poolRef = (name: string): InvolvedObject => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  name,
  namespace: '',
});

interface Hands {
  readonly metrics: Metrics;
  readonly events: EventSink;
  readonly involved: (node: string) => InvolvedObject;
}

/** The reporter a seek's options carry. */
export const scoredReporter =
  (h: Hands) =>
  (m: ScoredMove): void => {
    reportScored(m, h);
  };

export function reportScored(m: ScoredMove, h: Hands): void {
  const moves = h.metrics.karpenter.consolidationMoves;
  const decision = m.approved ? 'approved' : 'rejected';
  const pools = new Map(
    m.nodes.map((n) => [n.pool.name, n.pool.pool.spec.disruption?.consolidationPolicy ?? '']),
  );
  for (const [nodepool, policy] of pools) {
    moves.inc({ decision, nodepool, policy });
    const s = m.scores.get(nodepool);
    if (s === undefined) continue;
    const scoreDecision = s.approved ? 'approved' : 'rejected';
    // A score of +Inf (nothing disrupted) falls in the histogram's last bucket.
    h.metrics.karpenter.consolidationScore.observe({ decision: scoreDecision, nodepool, policy }, s.score);
    if (!s.approved || !m.approved) continue;
    const involved = m.method === 'single-node' ? h.involved(m.nodes[0]?.name ?? '') : poolRef(nodepool);
    h.events.emit({ involved, type: 'Normal', reason: 'ConsolidationApproved', message: scoreMessage(s) });
  }
}
