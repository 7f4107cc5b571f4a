import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node, pod } from '../../../test/support/cluster.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { loadObjects } from '../../inputs/objects.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import {
  BEST_MOVE_FAILS,
  canPass,
  evaluateMove,
  evictionCost,
  nodeDisruptionCost,
  scoreMessage,
  scoreMove,
  type PoolTotals,
} from './balanced.js';
import type { NodeInfo } from './candidates.js';
import { planConsolidation } from './consolidation.js';

const withCost = (annotations: Record<string, string>, priority?: number): V1Pod => ({
  metadata: { annotations },
  ...(priority !== undefined ? { spec: { containers: [], priority } } : {}),
});

// Karpenter v1.14.1 pkg/utils/disruption/disruption.go EvictionCost.
describe('evictionCost, as Karpenter counts a pod', () => {
  it.each([
    ['nothing set', withCost({}), 1],
    [
      'pod-deletion-cost 2^27',
      withCost({ 'controller.kubernetes.io/pod-deletion-cost': String(2 ** 27) }),
      2,
    ],
    [
      'pod-deletion-cost -2^27',
      withCost({ 'controller.kubernetes.io/pod-deletion-cost': String(-(2 ** 27)) }),
      0,
    ],
    ['priority 2^25', withCost({}, 2 ** 25), 2],
    ['priority 1e9 (system-node-critical 2e9 clamps too)', withCost({}, 1_000_000_000), 10],
    [
      'the lowest pod-deletion-cost',
      withCost({ 'controller.kubernetes.io/pod-deletion-cost': '-2147483647' }),
      -10 + 0 * 1,
    ],
    [
      'an unreadable pod-deletion-cost is ignored',
      withCost({ 'controller.kubernetes.io/pod-deletion-cost': 'x' }),
      1,
    ],
  ])('%s', (_what, p, want) => {
    expect(evictionCost(p)).toBeCloseTo(want, 6);
  });

  it('a node costs 1 plus its pods, negatives counted as 0 (computeRescheduleDisruptionCost)', () => {
    const free = withCost({ 'controller.kubernetes.io/pod-deletion-cost': '-2147483647' });
    expect(nodeDisruptionCost([])).toBe(1);
    expect(nodeDisruptionCost([withCost({}), withCost({}), free])).toBe(3);
  });
});

// designs/balanced-consolidation.md, "Examples": a pool of eight m7i.xlarge ($4.84/day) and two
// m7i.2xlarge ($9.68/day), $58.08/day, 80 pods of disruption cost 80 (the RFC's totals).
describe('scoreMove, the RFC examples (k = 2)', () => {
  const pool: PoolTotals = { cost: 58.08, disruption: 80 };
  it.each([
    ['oversized node replaced', 7.26, 3, pool, 3.33, true],
    ['spare capacity delete', 4.84, 4, pool, 1.67, true],
    ['marginal move', 2.42, 8, pool, 0.42, false],
    ['well-packed node (no savings)', 0, 10, pool, 0, false],
    ['a loss', -1, 1, pool, 0, false],
    ['uniform pool replace, exactly at the threshold', 2.42, 8, { cost: 48.4, disruption: 80 }, 0.5, true],
    ['single-node pool delete', 4.84, 11, { cost: 4.84, disruption: 11 }, 1, true],
    ['no totals to normalise against', 1, 1, { cost: 0, disruption: 0 }, 0, false],
  ])('%s', (...[, savings, disruption, totals, score, approved]) => {
    const s = scoreMove(savings, disruption, totals);
    expect(s.score).toBeCloseTo(score, 2);
    expect(s.threshold).toBe(0.5);
    expect(s.approved).toBe(approved);
  });

  it("says it in Karpenter's Event words", () => {
    expect(scoreMessage(scoreMove(2.42, 8, pool))).toBe(
      'score 0.42 < threshold 0.50 (k: 2, savings 4.2%, disruption 10.0%)',
    );
    expect(scoreMessage(scoreMove(7.26, 3, pool))).toBe(
      'score 3.33 >= threshold 0.50 (k: 2, savings 12.5%, disruption 3.8%)',
    );
  });
});

const catalog = builtinCatalog();
const loaded = loadObjects(['deploy/nodepools/general.yaml']);
if (!loaded.ok) throw new Error('deploy/nodepools/general.yaml does not load');
const general = loaded.objects[0]?.object as unknown as NodePool;
/** The general pool under `policy`, held to m6i.large and m6i.xlarge so that the prices are the RFC's shape. */
const poolWith = (name: string, policy: string) =>
  poolView({
    ...general,
    metadata: { name },
    spec: {
      ...general.spec,
      template: {
        ...general.spec.template,
        spec: {
          ...general.spec.template.spec,
          requirements: [
            ...(general.spec.template.spec.requirements ?? []),
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m6i.large', 'm6i.xlarge'] },
          ],
        },
      },
      disruption: { consolidationPolicy: policy, consolidateAfter: '0s', budgets: [{ nodes: '100%' }] },
    },
  });

const info = (name: string, pool: ReturnType<typeof poolWith>, price: number, pods: number): NodeInfo => ({
  node: node(name, { pool: pool.name }),
  name,
  pool,
  instanceType: 'm6i.xlarge',
  zone: 'us-east-1a',
  capacityType: 'on-demand',
  price,
  moving: Array.from({ length: pods }, () => withCost({})),
});

describe('evaluateMove: each Balanced pool approves on its own', () => {
  const a = poolWith('a', 'Balanced');
  const b = poolWith('b', 'Balanced');
  const w = poolWith('w', 'WhenEmptyOrUnderutilized');
  const totals = new Map<string, PoolTotals>([
    ['a', { cost: 10, disruption: 10 }],
    ['b', { cost: 10, disruption: 100 }],
    ['w', { cost: 1, disruption: 1000 }],
  ]);

  it('scores nothing for pools under other policies', () => {
    expect(evaluateMove({ remove: [info('w1', w, 1, 50)], savings: 0.01 }, totals).size).toBe(0);
  });

  it('splits the net savings by each pool’s share of the source price (cross-pool moves)', () => {
    // $4 saved of $2 + $6 removed: pool a gets 1, pool b 3.
    const s = evaluateMove({ remove: [info('a1', a, 2, 1), info('b1', b, 6, 1)], savings: 4 }, totals);
    expect(s.get('a')?.savingsFraction).toBeCloseTo(0.1, 6);
    expect(s.get('b')?.savingsFraction).toBeCloseTo(0.3, 6);
    expect(s.get('a')?.disruptionFraction).toBeCloseTo(0.2, 6);
    expect(s.get('b')?.disruptionFraction).toBeCloseTo(0.02, 6);
    expect(s.get('a')?.approved).toBe(true);
  });

  it('canPass: a node whose outright deletion scores under 1/k is never simulated', () => {
    expect(canPass(info('a1', a, 1, 9), totals)).toBe(false); // 0.1 / 1.0
    expect(canPass(info('a2', a, 1, 0), totals)).toBe(true); // 0.1 / 0.1
    expect(canPass(info('w1', w, 0.001, 50), totals)).toBe(true);
  });
});

describe('Balanced in plan --consolidate', () => {
  // Nine busy m6i.xlarge and one light one: WhenEmptyOrUnderutilized replaces the light one; Balanced
  // does too when its pods cost what pods cost, and refuses when they are dear to disrupt.
  const busy = Array.from({ length: 9 }, (_, i) => `busy-${i}`);
  const nodes = [...busy, 'light'].map((n) => node(n, { pool: 'p' }));
  const podsOn = (cost: number) => [
    ...busy.flatMap((n) => Array.from({ length: 8 }, (_, j) => pod(`${n}-${j}`, n, { cpu: '450m' }))),
    ...Array.from({ length: 8 }, (_, j) =>
      pod(`light-${j}`, 'light', {
        cpu: '200m',
        ...(cost !== 0
          ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(cost) } }
          : {}),
      }),
    ),
  ];
  const plan = (policy: string, cost: number) =>
    planConsolidation({
      nodes,
      pods: podsOn(cost),
      pdbs: [],
      pools: [poolWith('p', policy)],
      daemonSets: [],
      catalog,
      now: new Date('2026-11-23T12:00:00Z'),
      spotToSpot: false,
    });
  const removes = (p: ReturnType<typeof plan>, n: string) => p.decisions.some((d) => d.remove.includes(n));

  it('WhenEmptyOrUnderutilized replaces the light node, scoring nothing', () => {
    const p = plan('WhenEmptyOrUnderutilized', 3 * 2 ** 27);
    expect(removes(p, 'light')).toBe(true);
    expect(p.decisions.every((d) => d.balanced === undefined)).toBe(true);
  });

  it('Balanced takes only moves scoring at least 1/k, and the plan says each score', () => {
    const p = plan('Balanced', 0);
    expect(p.decisions.some((d) => d.remove.includes('light'))).toBe(true);
    for (const d of p.decisions) {
      expect(d.balanced?.[0]?.score ?? 0).toBeGreaterThanOrEqual(0.5);
      expect(d.balanced?.[0]?.message).toMatch(/^score \d+\.\d\d >= threshold 0\.50 \(k: 2, savings \d/);
    }
  });

  it('Balanced keeps it when its pods are dear to disrupt, and says the score', () => {
    const p = plan('Balanced', 2 ** 26);
    expect(removes(p, 'light')).toBe(false);
    expect(p.kept.find((k) => k.node === 'light')?.reason).toMatch(
      /^not consolidated: ConsolidationRejected in NodePool p: score 0\.\d\d < threshold 0\.50 \(k: 2, savings \d+\.\d%, disruption \d+\.\d%\)$/,
    );
  });

  it('Balanced does not even simulate a node whose outright deletion would score under 1/k', () => {
    const p = plan('Balanced', 3 * 2 ** 27);
    expect(removes(p, 'light')).toBe(false);
    expect(p.kept.find((k) => k.node === 'light')?.reason).toBe(`not consolidated: ${BEST_MOVE_FAILS}`);
  });
});
