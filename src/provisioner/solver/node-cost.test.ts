import type { V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { facts, testCatalog } from '../../../test/support/instance-facts.js';
import { solverPod } from '../input/pods.js';
import { poolView, poolViewWithClass, type EC2NodeClass, type NodePool } from '../../scheduling/nodepool.js';
import { verifyPlan } from '../verify/verify-plan.js';
import type { Plan, SolverInput, SolverPod } from './model.js';
import { better, solve } from './solve.js';
import { poolNodeCost } from './pools.js';

const catalog = testCatalog([
  facts('m6i.large', [2, 8, 29, 0.096]),
  facts('m6i.xlarge', [4, 16, 58, 0.192]),
  facts('m6i.2xlarge', [8, 32, 58, 0.384]),
]);

const pool: NodePool = {
  metadata: { name: 'default' },
  spec: {
    template: {
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
          { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
        ],
      },
    },
  },
};

/** 20 GiB gp3 at $0.08 per GiB-month, by the hour. */
const DEFAULT_VOLUME = (20 * 0.08) / 730;

let seq = 0;
function pod(
  cpu: string,
  more: Partial<V1PodSpec> = {},
  labels: Record<string, string> = { app: 'web' },
): SolverPod {
  seq += 1;
  return solverPod(`default/p-${String(seq).padStart(3, '0')}`, 'default', {
    metadata: { labels },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory: '1Gi' } } }], ...more },
  });
}

function planOf(pods: SolverPod[], perNodePerHour: number, preferFewerNodesWithin = 0.01): Plan {
  const input: SolverInput = {
    pods,
    nodes: [],
    pools: [poolView(pool)],
    daemonSets: [],
    catalog,
    budgetMillis: 1000,
    nodeCost: { perNodePerHour, preferFewerNodesWithin },
  };
  const plan = solve(input);
  expect(verifyPlan(input, plan)).toEqual([]);
  return plan;
}

describe('the whole cost of a node in the plan', () => {
  it("prices each new node's volumes and the per-node cost apart from its instance", () => {
    const plan = planOf([pod('500m')], 0.03);
    expect(plan.nodes.map((n) => [n.instanceType, n.pricePerHour])).toEqual([['m6i.large', 0.096]]);
    expect(plan.nodes[0]?.nodeCostPerHour).toBeCloseTo(DEFAULT_VOLUME + 0.03, 10);
    expect(plan.totals.pricePerHour).toBe(0.096);
    expect(plan.totals.nodeCostsPerHour).toBeCloseTo(DEFAULT_VOLUME + 0.03, 5);
    expect(plan.lowerBound).toBeGreaterThan(0.096 * 0.25);
  });

  it.each([
    // Three pods of 1.5 CPU: three m6i.large (0.288) or an m6i.xlarge and an m6i.large (0.288)
    // against one m6i.2xlarge (0.384). At 0.1 a node the one node is cheaper in all.
    ['no per-node cost: the cheapest instances', 0, 0.288],
    ['a per-node cost of 0.1: one larger node', 0.1, 0.384],
  ])('%s', (_, perNode, instances) => {
    const plan = planOf([pod('1500m'), pod('1500m'), pod('1500m')], perNode);
    expect(plan.totals.pricePerHour).toBeCloseTo(instances, 5);
    if (perNode > 0) expect(plan.nodes.map((n) => n.instanceType)).toEqual(['m6i.2xlarge']);
    else expect(plan.totals.nodes).toBeGreaterThan(1);
  });

  it('never merges pods that must not share a host, whatever a node costs', () => {
    const anti: Partial<V1PodSpec> = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'solo' } } },
          ],
        },
      },
    };
    const plan = planOf(
      Array.from({ length: 3 }, () => pod('250m', anti, { app: 'solo' })),
      5,
    );
    expect(plan.totals.nodes).toBe(3);
  });

  it('merges the small nodes first fit leaves behind, across anti-affinity groups', () => {
    const anti = (app: string): Partial<V1PodSpec> => ({
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app } } },
          ],
        },
      },
    });
    // Two apps of three replicas, each replica on its own host: three nodes hold both apps.
    const pods = ['a', 'b'].flatMap((app) =>
      Array.from({ length: 3 }, () => pod('250m', anti(app), { app })),
    );
    const plan = planOf(pods, 0.03);
    expect(plan.totals.nodes).toBe(3);
  });
});

describe('better: the plan kept between two', () => {
  const plan = (nodes: number, price: number, unschedulable = 0): Plan => ({
    nodes: [],
    unschedulable: Array.from({ length: unschedulable }, (_, i) => ({ pod: `p${String(i)}`, reason: 'r' })),
    servedByAutoMode: [],
    bindings: [],
    totals: { nodes, pods: 0, pricePerHour: price, nodeCostsPerHour: 0, solveMillis: 0 },
    lowerBound: 0,
  });
  it.each([
    ['fewer pods left out wins, whatever it costs', plan(9, 9, 0), plan(1, 1, 1), 0],
    ['within the tolerance, fewer nodes', plan(10, 100), plan(4, 100.9), 1],
    ['past the tolerance, cheaper', plan(10, 100), plan(4, 101.1), 0],
    ['the same nodes: cheaper', plan(4, 100), plan(4, 99.9), 1],
    ['a tie keeps the first', plan(4, 100), plan(4, 100), 0],
  ])('%s', (_, a, b, want) => {
    expect(better(a, b, 0.01)).toBe([a, b][want]);
  });
  it('compares whole prices: dearer instances, cheaper in all', () => {
    const a = { ...plan(10, 100), totals: { ...plan(10, 100).totals, nodeCostsPerHour: 0.5 } };
    const b = { ...plan(4, 100.3), totals: { ...plan(4, 100.3).totals, nodeCostsPerHour: 0.12 } };
    expect(better(a, b, 0)).toBe(b);
  });
});

describe('poolNodeCost', () => {
  const nodeClass = (spec: Record<string, unknown>): EC2NodeClass => ({
    metadata: { name: 'default' },
    spec,
  });
  it.each([
    ['no class: Karpenter default volume', undefined, 0, DEFAULT_VOLUME],
    [
      'AL2023 class, per-node cost added',
      { amiSelectorTerms: [{ alias: 'al2023@latest' }] },
      0.03,
      DEFAULT_VOLUME + 0.03,
    ],
    [
      'Bottlerocket: its 4 GiB OS volume and 20 GiB data volume',
      { amiSelectorTerms: [{ alias: 'bottlerocket@latest' }] },
      0,
      (24 * 0.08) / 730,
    ],
    [
      'the mappings given: 100 GiB gp3, 6,000 IOPS, 250 MiB/s',
      {
        amiSelectorTerms: [{ alias: 'al2023@latest' }],
        blockDeviceMappings: [
          {
            deviceName: '/dev/xvda',
            ebs: { volumeSize: '100Gi', volumeType: 'gp3', iops: 6000, throughput: 250 },
          },
        ],
      },
      0,
      (100 * 0.08 + 3000 * 0.005 + 125 * 0.04) / 730,
    ],
  ])('%s', (_, spec, perNode, want) => {
    const view = spec === undefined ? poolView(pool) : poolViewWithClass(pool, nodeClass(spec));
    expect(
      poolNodeCost({ nodeCost: { perNodePerHour: perNode, preferFewerNodesWithin: 0.01 } }, view),
    ).toBeCloseTo(want, 10);
  });
});

describe('a per-node cost: the packing is also run without it, and the cheaper whole plan kept', () => {
  it('costs no more in all than the plan made without it and charged it after (fewer nodes: within 1%)', () => {
    const pods = Array.from({ length: 40 }, (_, i) => pod(['250m', '500m', '1500m'][i % 3] ?? '250m'));
    for (const perNode of [0.01, 0.03, 0.1]) {
      const withCost = planOf(pods, perNode);
      const without = planOf(pods, 0);
      const whole = (p: Plan, extra: number) =>
        p.totals.pricePerHour + p.totals.nodeCostsPerHour + extra * p.totals.nodes;
      expect(whole(withCost, 0)).toBeLessThanOrEqual(whole(without, perNode) * 1.01 + 1e-9);
    }
  });
});
