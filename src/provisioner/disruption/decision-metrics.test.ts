import { describe, expect, it } from 'vitest';
import { Metrics } from '../../observability/metrics.js';
import {
  karpenterDecided,
  karpenterDisrupted,
  karpenterReason,
  terminationMode,
} from './decision-metrics.js';

const node = (name: string) => ({
  metadata: { name, labels: { 'karpenter.sh/nodepool': 'general', 'karpenter.sh/capacity-type': 'spot' } },
});
const nodes = (n: number) => Array.from({ length: n }, (_, i) => node(`n${i}`));

async function series(m: Metrics, name: string) {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (metric?.values ?? []).map((v) => ({ ...v.labels, value: v.value }));
}

// Karpenter v1.15.0: decisions_total when the validated command marks its nodes
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
      {
        reason: labels.reason,
        nodepool: 'general',
        capacity_type: 'spot',
        consolidation_policy: '',
        termination_mode: 'graceful',
        value: count,
      },
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
      {
        reason: 'expired',
        nodepool: 'general',
        capacity_type: 'spot',
        consolidation_policy: '',
        termination_mode: 'graceful',
        value: 1,
      },
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

// Karpenter v1.15.0 pkg/controllers/disruption/queue.go recordCandidateDisrupted and
// pkg/utils/nodeclaim DisruptionTerminationMode: consolidation_policy for consolidation only, the
// claim's termination mode, and karpenter_pods_disruption_initiated_total by the pods it reschedules.
describe("Karpenter v1.15's disruption labels and pods_disruption_initiated_total", () => {
  const ctx = (policy: string | undefined, tgp: string | undefined, pods: number) => ({
    policy: () => policy,
    terminationGracePeriod: () => tgp,
    reschedulablePods: () => pods,
  });

  it.each([
    ['multi-node', 'WhenEmptyOrUnderutilized', undefined, 'when_empty_or_underutilized', 'graceful'],
    ['emptiness', 'WhenEmpty', '24h', 'when_empty', 'eventual'],
    ['single-node', 'Balanced', '0s', 'balanced', 'forceful'],
    ['drift', 'WhenEmptyOrUnderutilized', '1h', '', 'eventual'],
    ['expiration', 'WhenEmptyOrUnderutilized', undefined, '', 'graceful'],
  ] as const)('%s (policy %s, terminationGracePeriod %s)', async (method, policy, tgp, label, mode) => {
    const m = new Metrics({ defaults: false });
    karpenterDisrupted(m, method, nodes(2), ctx(policy, tgp, 3));
    const [claims] = await series(m, 'karpenter_nodeclaims_disrupted_total');
    expect(claims).toMatchObject({ consolidation_policy: label, termination_mode: mode, value: 2 });
    const [pods] = await series(m, 'karpenter_pods_disruption_initiated_total');
    expect(pods).toMatchObject({ consolidation_policy: label, termination_mode: mode, value: 6 });
  });

  it("a NodeClaim's own terminationGracePeriod gives its mode; no pod count where Karpenter keeps none", async () => {
    const m = new Metrics({ defaults: false });
    const claim = { ...node('c'), spec: { terminationGracePeriod: '0s' } };
    karpenterDisrupted(m, 'insufficient_capacity', [claim]);
    expect((await series(m, 'karpenter_nodeclaims_disrupted_total'))[0]).toMatchObject({
      reason: 'insufficient_capacity',
      termination_mode: 'forceful',
    });
    expect(await series(m, 'karpenter_pods_disruption_initiated_total')).toEqual([]);
  });

  it.each([
    [undefined, 'graceful'],
    ['0s', 'forceful'],
    ['30m', 'eventual'],
  ])('terminationGracePeriod %s is %s', (tgp, mode) => {
    expect(terminationMode(tgp)).toBe(mode);
  });
});
