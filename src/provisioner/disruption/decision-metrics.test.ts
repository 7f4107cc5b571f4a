import { describe, expect, it } from 'vitest';
import { Metrics } from '../../observability/metrics.js';
import { karpenterDecided, karpenterDisrupted, karpenterReason } from './decision-metrics.js';

const node = (name: string) => ({
  metadata: { name, labels: { 'karpenter.sh/nodepool': 'general', 'karpenter.sh/capacity-type': 'spot' } },
});
const nodes = (n: number) => Array.from({ length: n }, (_, i) => node(`n${i}`));

async function series(m: Metrics, name: string) {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (metric?.values ?? []).map((v) => ({ ...v.labels, value: v.value }));
}

// Karpenter v1.14.1: decisions_total when the validated command marks its nodes
// (disruption/queue.go markDisrupted); nodeclaims_disrupted_total when each claim is deleted, with
// the command's reason, or by the controller that disrupts it involuntarily (expiration, interruption,
// launch, liveness, garbage collection).
describe("disruption in Karpenter's metrics", () => {
  it.each([
    ['emptiness', 2, false, { decision: 'delete', reason: 'empty', consolidation_type: 'empty' }],
    ['multi-node', 2, true, { decision: 'replace', reason: 'underutilized', consolidation_type: 'multi' }],
    ['single-node', 1, false, { decision: 'delete', reason: 'underutilized', consolidation_type: 'single' }],
    ['drift', 1, true, { decision: 'replace', reason: 'drifted', consolidation_type: '' }],
  ] as const)('%s over %i node(s), replacing: %s', async (method, count, replace, labels) => {
    const m = new Metrics({ defaults: false });
    karpenterDecided(m, method, replace, nodes(count));
    expect(await series(m, 'karpenter_voluntary_disruption_decisions_total')).toEqual([
      { ...labels, value: 1 },
    ]);
    expect(await series(m, 'karpenter_voluntary_disruption_decisions_by_nodepool_total')).toEqual([
      { ...labels, nodepool: 'general', value: 1 },
    ]);
    // Decided is not disrupted: the claims count once their drain starts.
    expect(await series(m, 'karpenter_nodeclaims_disrupted_total')).toEqual([]);
    karpenterDisrupted(m, method, nodes(count));
    expect(await series(m, 'karpenter_nodeclaims_disrupted_total')).toEqual([
      { reason: labels.reason, nodepool: 'general', capacity_type: 'spot', value: count },
    ]);
  });

  it('an expiration is disrupted (reason expired), never a voluntary decision; a scale-down neither', async () => {
    const m = new Metrics({ defaults: false });
    karpenterDecided(m, 'expiration', true, nodes(1));
    karpenterDecided(m, 'scale-down', false, nodes(1));
    karpenterDisrupted(m, 'scale-down', nodes(1));
    expect(await series(m, 'karpenter_voluntary_disruption_decisions_total')).toEqual([]);
    karpenterDisrupted(m, 'expiration', nodes(1));
    expect(await series(m, 'karpenter_nodeclaims_disrupted_total')).toEqual([
      { reason: 'expired', nodepool: 'general', capacity_type: 'spot', value: 1 },
    ]);
    expect(karpenterReason('expiration')).toBe('expired');
    expect(karpenterReason('multi-node')).toBe('underutilized');
  });

  it.each(['spot_interrupted', 'insufficient_capacity', 'registration_timeout', 'garbage_collected'])(
    'an involuntary disruption keeps its own reason (%s)',
    async (reason) => {
      const m = new Metrics({ defaults: false });
      karpenterDisrupted(m, reason, nodes(1));
      expect((await series(m, 'karpenter_nodeclaims_disrupted_total'))[0]).toMatchObject({ reason });
    },
  );
});
