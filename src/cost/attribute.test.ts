import { describe, expect, it } from 'vitest';
import { attributeCost, groupCost, shareOf, type CostNode, type CostPod } from './attribute.js';

const node = (name: string, nodePool: string, pricePerHour: number, cpu = 4000, mem = 16384): CostNode => ({
  name,
  nodePool,
  pricePerHour,
  cpu,
  mem,
});
/** A pod on `node` of `namespace`'s `workload` asking for [CPU millis, memory MiB]. */
const pod = (
  at: [string, string, string],
  [cpu, mem]: [number, number],
  runtimeClass = 'general',
): CostPod => ({
  node: at[0],
  namespace: at[1],
  workload: at[2],
  runtimeClass,
  cpu,
  mem,
});
/** A number within 1e-10 of `x` (vitest's asymmetric matcher, typed). */
const near = (x: number): number => expect.closeTo(x, 10) as number;

describe('shareOf', () => {
  it.each([
    ['the larger of the CPU and memory shares', { cpu: 1000, mem: 2048 }, 0.25],
    ['memory when it is the larger share', { cpu: 400, mem: 8192 }, 0.5],
    ['nothing for a pod that requests nothing', { cpu: 0, mem: 0 }, 0],
    ['at most the whole node', { cpu: 8000, mem: 0 }, 1],
  ])('%s', (_, p, want) => {
    expect(shareOf(p, { cpu: 4000, mem: 16384 })).toBeCloseTo(want, 10);
  });
});

describe('attributeCost', () => {
  it('splits a node by share and reports the rest as idle, per NodePool', () => {
    const a = attributeCost(
      [node('n1', 'general', 0.2)],
      [
        pod(['n1', 'shop', 'Deployment/web'], [1000, 1024]),
        pod(['n1', 'shop', 'Deployment/web'], [1000, 1024]),
        pod(['n1', 'data', 'StatefulSet/db'], [500, 8192], 'memory'),
      ],
    );
    expect(a.rows).toEqual([
      {
        namespace: 'shop',
        runtimeClass: 'general',
        workload: 'Deployment/web',
        nodePool: 'general',
        usdPerHour: near(0.1),
        nodeCostsPerHour: 0,
      },
      {
        namespace: 'data',
        runtimeClass: 'memory',
        workload: 'StatefulSet/db',
        nodePool: 'general',
        usdPerHour: near(0.1),
        nodeCostsPerHour: 0,
      },
    ]);
    expect(a.idle).toEqual([{ nodePool: 'general', usdPerHour: near(0) }]);
  });

  it('gives each pod its share of what the node costs beside its instance, and keeps the two apart in the totals', () => {
    const a = attributeCost(
      [
        { ...node('n1', 'general', 0.2), nodeCostPerHour: 0.04 },
        { ...node('n2', 'general', 0.1), nodeCostPerHour: 0.02 },
      ],
      [
        pod(['n1', 'shop', 'Deployment/web'], [2000, 1024]),
        pod(['n2', 'shop', 'Deployment/web'], [4000, 1024]),
      ],
    );
    // Half of n1 (0.24 whole) and all of n2 (0.12 whole).
    expect(a.rows).toEqual([
      {
        namespace: 'shop',
        runtimeClass: 'general',
        workload: 'Deployment/web',
        nodePool: 'general',
        usdPerHour: near(0.12 + 0.12),
        nodeCostsPerHour: near(0.02 + 0.02),
      },
    ]);
    expect(a.idle).toEqual([{ nodePool: 'general', usdPerHour: near(0.12) }]);
    expect(a.instancesPerHour).toBeCloseTo(0.3, 10);
    expect(a.nodeCostsPerHour).toBeCloseTo(0.06, 10);
    expect(a.totalPerHour).toBeCloseTo(0.36, 10);
  });

  it('scales shares that add up to more than the node (one takes its CPU, another its memory) to the whole', () => {
    const a = attributeCost(
      [node('n1', 'p', 1)],
      [pod(['n1', 'a', 'Pod/cpu'], [3000, 0]), pod(['n1', 'b', 'Pod/mem'], [0, 12288])],
    );
    expect(a.rows.map((r) => r.usdPerHour)).toEqual([near(0.5), near(0.5)]);
    expect(a.idle[0]?.usdPerHour).toBeCloseTo(0, 10);
  });

  it("always sums to the nodes' $/h: rows plus idle; pods on unknown nodes are left out", () => {
    const nodes = [
      node('n1', 'general', 0.192),
      node('n2', 'general', 0.096, 2000, 8192),
      node('n3', 'spot', 0.05),
    ];
    const pods = [
      pod(['n1', 'a', 'Deployment/x'], [1500, 3000]),
      pod(['n2', 'a', 'Deployment/x'], [250, 6000]),
      pod(['n3', 'b', 'Job/y'], [100, 100]),
      pod(['gone', 'c', 'Pod/z'], [1000, 1000]),
    ];
    const a = attributeCost(nodes, pods);
    const sum = a.rows.reduce((s, r) => s + r.usdPerHour, 0) + a.idle.reduce((s, i) => s + i.usdPerHour, 0);
    expect(sum).toBeCloseTo(0.338, 10);
    expect(a.totalPerHour).toBeCloseTo(0.338, 10);
    expect(a.rows.some((r) => r.namespace === 'c')).toBe(false);
  });

  it('groups by namespace, class, workload and NodePool, idle as its own row', () => {
    const a = attributeCost(
      [node('n1', 'general', 1), node('n2', 'batch', 1)],
      [
        pod(['n1', 'shop', 'Deployment/web'], [2000, 0]),
        pod(['n2', 'shop', 'Job/report'], [1000, 0], 'batch'),
      ],
    );
    expect(groupCost(a, 'namespace')).toEqual([
      { key: '(idle)', usdPerHour: near(1.25) },
      { key: 'shop', usdPerHour: near(0.75) },
    ]);
    expect(groupCost(a, 'class').map((g) => g.key)).toEqual(['(idle)', 'general', 'batch']);
    expect(groupCost(a, 'workload').map((g) => g.key)).toEqual([
      '(idle)',
      'shop/Deployment/web',
      'shop/Job/report',
    ]);
    expect(groupCost(a, 'nodepool')).toEqual([
      { key: 'batch (idle)', usdPerHour: near(0.75) },
      { key: 'general', usdPerHour: near(0.5) },
      { key: 'general (idle)', usdPerHour: near(0.5) },
      { key: 'batch', usdPerHour: near(0.25) },
    ]);
  });
});
