import { describe, expect, it } from 'vitest';
import { node } from '../../../test/support/cluster.js';
import type { EventSpec } from '../../kube/events.js';
import { Metrics } from '../../observability/metrics.js';
import { poolView } from '../../scheduling/nodepool.js';
import { nodePool } from '../../../test/support/cluster.js';
import { scoreMove, type ScoredMove } from './balanced.js';
import type { NodeInfo } from './candidates.js';
import { nodeRef } from './drain-nodes.js';
import { reportScored } from './scored.js';

const pool = poolView(nodePool('p', { consolidationPolicy: 'Balanced' }));
const info = (name: string): NodeInfo => ({
  node: node(name, { pool: 'p' }),
  name,
  pool,
  instanceType: 'm6i.xlarge',
  zone: 'us-east-1a',
  capacityType: 'on-demand',
  price: 0.192,
  moving: [],
});

function report(m: ScoredMove) {
  const metrics = new Metrics();
  const events: EventSpec[] = [];
  reportScored(m, {
    metrics,
    events: { emit: (e) => events.push(e) },
    involved: (n) => nodeRef(n, undefined),
  });
  return { metrics, events };
}

const approved = scoreMove(7.26, 3, { cost: 58.08, disruption: 80 });
const rejected = scoreMove(2.42, 8, { cost: 58.08, disruption: 80 });

describe('a Balanced move reported as Karpenter reports it', () => {
  it('an approved single-node move: counted, its score observed, ConsolidationApproved on its Node', async () => {
    const { metrics, events } = report({
      method: 'single-node',
      nodes: [info('n1')],
      scores: new Map([['p', approved]]),
      approved: true,
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'karpenter_consolidation_moves_total{decision="approved",nodepool="p",policy="Balanced"} 1',
    );
    expect(text).toContain(
      'karpenter_consolidation_score_bucket{le="5",decision="approved",nodepool="p",policy="Balanced"} 1',
    );
    expect(events).toEqual([
      {
        involved: nodeRef('n1', undefined),
        type: 'Normal',
        reason: 'ConsolidationApproved',
        message: 'score 3.33 >= threshold 0.50 (k: 2, savings 12.5%, disruption 3.8%)',
      },
    ]);
  });

  it('an approved multi-node move says so on the NodePool', () => {
    const { events } = report({
      method: 'multi-node',
      nodes: [info('n1'), info('n2')],
      scores: new Map([['p', approved]]),
      approved: true,
    });
    expect(events.map((e) => [e.involved.kind, e.involved.name, e.reason])).toEqual([
      ['NodePool', 'p', 'ConsolidationApproved'],
    ]);
  });

  it('a rejected move is counted and observed, with no Event', async () => {
    const { metrics, events } = report({
      method: 'single-node',
      nodes: [info('n1')],
      scores: new Map([['p', rejected]]),
      approved: false,
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'karpenter_consolidation_moves_total{decision="rejected",nodepool="p",policy="Balanced"} 1',
    );
    expect(text).toContain(
      'karpenter_consolidation_score_bucket{le="0.5",decision="rejected",nodepool="p",policy="Balanced"} 1',
    );
    expect(events).toEqual([]);
  });
});
