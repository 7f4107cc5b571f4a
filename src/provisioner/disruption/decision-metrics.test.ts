import { describe, expect, it } from 'vitest';
import { Metrics } from '../../observability/metrics.js';
import type { PlannedNode } from '../solver/model.js';
import { karpenterDecision, karpenterReason } from './decision-metrics.js';
import type { Decision } from './methods.js';

const removed = (name: string) =>
  ({
    name,
    node: {
      metadata: {
        name,
        labels: { 'karpenter.sh/nodepool': 'general', 'karpenter.sh/capacity-type': 'spot' },
      },
    },
  }) as unknown as Decision['remove'][number];
const decision = (method: Decision['method'], remove: number, launch: number): Decision => ({
  method,
  remove: Array.from({ length: remove }, (_, i) => removed(`n${i}`)),
  launch: Array.from({ length: launch }, () => ({}) as PlannedNode),
  bindings: [],
  removedPrice: 1,
  launchPrice: 0.5,
});

async function series(m: Metrics, name: string) {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (metric?.values ?? []).map((v) => ({ ...v.labels, value: v.value }));
}

describe("disruption decisions in Karpenter's metrics", () => {
  it.each([
    ['emptiness', 2, 0, { decision: 'delete', reason: 'empty', consolidation_type: 'empty' }],
    ['multi-node', 2, 1, { decision: 'replace', reason: 'underutilized', consolidation_type: 'multi' }],
    ['single-node', 1, 0, { decision: 'delete', reason: 'underutilized', consolidation_type: 'single' }],
    ['drift', 1, 1, { decision: 'replace', reason: 'drifted', consolidation_type: '' }],
  ] as const)('%s removing %i node(s), launching %i', async (method, remove, launch, labels) => {
    const m = new Metrics({ defaults: false });
    karpenterDecision(m, decision(method, remove, launch));
    expect(await series(m, 'karpenter_voluntary_disruption_decisions_total')).toEqual([
      { ...labels, value: 1 },
    ]);
    expect(await series(m, 'karpenter_voluntary_disruption_decisions_by_nodepool_total')).toEqual([
      { ...labels, nodepool: 'general', value: 1 },
    ]);
    expect(await series(m, 'karpenter_nodeclaims_disrupted_total')).toEqual([
      {
        reason: labels.reason,
        nodepool: 'general',
        capacity_type: 'spot',
        value: remove,
      },
    ]);
  });

  it('counts an expiration as disrupted (reason expired), not as a voluntary decision', async () => {
    const m = new Metrics({ defaults: false });
    karpenterDecision(m, decision('expiration', 1, 1));
    expect(await series(m, 'karpenter_voluntary_disruption_decisions_total')).toEqual([]);
    expect((await series(m, 'karpenter_nodeclaims_disrupted_total'))[0]).toMatchObject({ reason: 'expired' });
    expect(karpenterReason('expiration')).toBe('expired');
    expect(karpenterReason('multi-node')).toBe('underutilized');
  });
});
