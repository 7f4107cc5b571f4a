import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { solverPod } from '../input/pods.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { seededRandom } from '../../util/seeded.js';
import { verifyPlan } from '../verify/verify-plan.js';
import type { SolverInput } from './model.js';
import { solve } from './solve.js';

const catalog = builtinCatalog();
const general: NodePool = {
  metadata: { name: 'general' },
  spec: {
    template: {
      spec: {
        requirements: [
          { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand', 'spot'] },
        ],
      },
    },
  },
};
// What the API server's DefaultTolerationSeconds adds to real pods, and a replica of a fed workload
// (made from its template) does not have: the two are placed as different classes.
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

describe('the improvement phase', () => {
  it('never loses a pod another class placed on the bins it repacks (200 seeded mixes)', () => {
    const r = seededRandom(4242);
    const cpus = ['500m', '1500m', '3', '5', '7'];
    const mems = ['1Gi', '4Gi', '12Gi', '20Gi'];
    for (let t = 0; t < 200; t++) {
      const n = 3 + Math.floor(r() * 10);
      const pods = Array.from({ length: n }, (_, i) =>
        solverPod(`apps/p${t}-${i}`, 'apps', {
          metadata: { labels: { app: `a${i}` } },
          spec: {
            containers: [
              {
                name: 'c',
                resources: {
                  requests: {
                    cpu: cpus[Math.floor(r() * cpus.length)] ?? '1',
                    memory: mems[Math.floor(r() * mems.length)] ?? '1Gi',
                  },
                },
              },
            ],
            ...(r() < 0.5 ? { tolerations: DEFAULT_TOLERATIONS } : {}),
          },
        }),
      );
      const input: SolverInput = {
        pods,
        nodes: [],
        pools: [poolView(general)],
        daemonSets: [],
        catalog,
        budgetMillis: 30,
      };
      const plan = solve(input);
      expect(verifyPlan(input, plan), `mix ${t}`).toEqual([]);
      expect(plan.unschedulable, `mix ${t}`).toEqual([]);
    }
  });
});
