import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { solverPod } from '../input/pods.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { verifyPlan } from '../verify/verify-plan.js';
import type { SolverInput } from './model.js';
import { solve } from './solve.js';

// Karpenter's performance suite's NodePool (on-demand linux) with Berth's bench limit: under 32 vCPUs.
const perf: NodePool = {
  metadata: { name: 'perf' },
  spec: {
    template: {
      spec: {
        requirements: [
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
          { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
          { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lt', values: ['32'] },
        ],
      },
    },
  },
};

const replicas = (app: string, n: number, cpu: string, memory: string, spread = false) =>
  Array.from({ length: n }, (_, i) =>
    solverPod(`perf/${app}-${String(i).padStart(3, '0')}`, 'perf', {
      metadata: { labels: { app } },
      spec: {
        containers: [{ name: 'app', resources: { requests: { cpu, memory } } }],
        ...(spread
          ? {
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: 'kubernetes.io/hostname',
                  whenUnsatisfiable: 'DoNotSchedule',
                  labelSelector: { matchLabels: { app } },
                },
              ],
            }
          : {}),
      },
    }),
  );

const inputOf = (pods: SolverInput['pods']): SolverInput => ({
  pods,
  nodes: [],
  pools: [poolView(perf)],
  daemonSets: [],
  catalog: builtinCatalog(),
});

describe('packing pods without inter-pod constraints', () => {
  // Karpenter's *basic* performance workload at 1/10. The shadow prices rank memory-rich x2gd types
  // first; a fill shaped for x2gd.xlarge buys an r6g.xlarge that holds one 28Gi pod. The same family's
  // largest size allowed (r6g.4xlarge, 4× the price) holds four and a small one beside them.
  it('fills the type a fill bought, and the largest of its family, before settling for the first fit', () => {
    const input = inputOf([
      ...replicas('small-resource-app', 50, '900m', '3100Mi'),
      ...replicas('large-resource-app', 50, '3500m', '28Gi'),
    ]);
    const plan = solve(input);
    expect(verifyPlan(input, plan)).toEqual([]);
    expect(plan.unschedulable).toEqual([]);
    const large = plan.nodes.filter((n) => n.pods.some((p) => p.startsWith('perf/large')));
    // 50 pods of 28Gi: at most four to a node under 32 vCPUs (118 GiB allocatable at 16 vCPUs).
    expect(large.length).toBeLessThanOrEqual(14);
    expect(plan.totals.nodes).toBeLessThanOrEqual(20);
    // One r6g.xlarge per large pod, and t4g.2xlarge for the small ones, cost $11.76/h.
    expect(plan.totals.pricePerHour).toBeLessThan(11.5);
  });

  // *hostname spread* at 1/10: the spread pods open one small node each first. Growing those to
  // x2gd.2xlarge for two 28Gi pods ($0.63/h more for $0.33/h of worth at shadow prices) is worse than
  // a node of the large pods' own; growing some to r6g.4xlarge for four is better. Was $17.54/h.
  it('grows a node already in the plan only when that is worth as much per dollar as a new node', () => {
    const input = inputOf([
      ...replicas('small-resource-app', 50, '900m', '3100Mi', true),
      ...replicas('large-resource-app', 50, '3500m', '28Gi'),
    ]);
    const plan = solve(input);
    expect(verifyPlan(input, plan)).toEqual([]);
    expect(plan.unschedulable).toEqual([]);
    expect(plan.nodes.filter((n) => n.instanceType.startsWith('x2gd'))).toEqual([]);
    expect(plan.totals.pricePerHour).toBeLessThan(12);
  });
});
