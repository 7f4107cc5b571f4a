import type { V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { facts, testCatalog } from '../../../test/support/instance-facts.js';
import { solverPod } from '../input/pods.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { verifyPlan } from '../verify/verify-plan.js';
import type { SolverInput, SolverPod } from './model.js';
import { solve } from './solve.js';

/** A family whose largest size is 2xlarge, and past it a dear type bought for what it has beside CPU and memory. */
const catalog = testCatalog([
  facts('r6i.xlarge', [4, 32, 58, 0.252]),
  facts('r6i.2xlarge', [8, 64, 58, 0.504]),
  facts('f2.6xlarge', [24, 256, 234, 1.98]),
]);

const pool: NodePool = {
  metadata: { name: 'default' },
  spec: {
    template: {
      spec: {
        nodeClassRef: { name: 'default' },
        requirements: [
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
          { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
        ],
      },
    },
  },
};

let seq = 0;
function pod(app: string, spec: Partial<V1PodSpec> = {}): SolverPod {
  seq += 1;
  return solverPod(`default/${app}-${String(seq).padStart(3, '0')}`, 'default', {
    metadata: { labels: { app } },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '3500m', memory: '28Gi' } } }], ...spec },
  });
}

const zoneSpread = (app: string): Partial<V1PodSpec> => ({
  topologySpreadConstraints: [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app } },
    },
  ],
});

function planOf(pods: SolverPod[]) {
  const i: SolverInput = { pods, nodes: [], pools: [poolView(pool)], daemonSets: [], catalog };
  const plan = solve(i);
  expect(verifyPlan(i, plan)).toEqual([]);
  expect(plan.unschedulable).toEqual([]);
  return plan;
}

const types = (plan: ReturnType<typeof solve>) => plan.nodes.map((n) => n.instanceType).sort();

describe('placing pods with inter-pod constraints', () => {
  it('opens a node rather than grow a claim to a type that costs more than that node', () => {
    // Four zone-spread pods per zone: a claim that took two (an r6i.2xlarge) would grow to an
    // f2.6xlarge for the third, $1.476/h more, where an r6i.2xlarge of its own costs $0.504.
    const plan = planOf(Array.from({ length: 12 }, () => pod('wide', zoneSpread('wide'))));
    expect(types(plan)).toEqual(Array<string>(6).fill('r6i.2xlarge'));
    expect(plan.totals.pricePerHour).toBeCloseTo(3.024, 5);
    expect(plan.totals.pricePerHour).toBeLessThanOrEqual(plan.lowerBound * 1.2);
  });

  it('still grows a claim as its family grows, where that costs no more than a node of its own', () => {
    const plan = planOf(Array.from({ length: 6 }, () => pod('pair', zoneSpread('pair'))));
    expect(types(plan)).toEqual(Array<string>(3).fill('r6i.2xlarge'));
  });

  it('grows the claim a pod must share with the pods its required affinity selects, whatever it costs', () => {
    const together: Partial<V1PodSpec> = {
      affinity: {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } },
          ],
        },
      },
    };
    // Three pods of 3.5 CPU on one node: only the f2.6xlarge holds them.
    const plan = planOf([pod('db', zoneSpread('db')), pod('api', together), pod('api', together)]);
    expect(plan.nodes.map((n) => `${n.instanceType} ${n.pods.length}`)).toEqual(['f2.6xlarge 3']);
  });
});
