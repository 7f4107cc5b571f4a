import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { solverPod } from '../input/pods.js';
import type { SolverInput } from '../solver/model.js';
import { SOLVER_THREAD_NAME, SOLVER_YOUNG_MIB } from './limits.js';
import { inProcessPlanner, PlannerError, PlanWorker } from './planner.js';

const pool: NodePool = {
  metadata: { name: 'general' },
  spec: {
    template: {
      spec: {
        requirements: [
          { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
        ],
      },
    },
  },
};

function input(replicas: number): SolverInput {
  const template = {
    metadata: { labels: { app: 'web' } },
    spec: {
      containers: [{ name: 'c', resources: { requests: { cpu: '1', memory: '2Gi' } } }],
      nodeSelector: { 'kubernetes.io/arch': 'amd64' },
    },
  };
  return {
    pods: [solverPod('apps/solo', 'apps', template)],
    groups: [{ pod: solverPod('apps/web-', 'apps', template), from: 0, count: replicas }],
    nodes: [],
    pools: [poolView(pool)],
    daemonSets: [],
    catalog: builtinCatalog(),
    budgetMillis: 0,
    namePrefix: 'n-',
  };
}

/** This process's threads: their names and nice values (Linux: the 2nd and 19th fields of each task's stat). */
function threads(): { name: string; nice: number }[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    return {
      name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]),
    };
  });
}

describe('the solver thread', () => {
  it.runIf(process.platform === 'linux')(
    'runs at the nice value it is given (--solver-nice), named berth-solver for the OS',
    async () => {
      expect(threads().map((t) => t.nice)).not.toContain(7);
      const worker = new PlanWorker({ maxHeapMiB: 256, timeoutMs: 30_000, nice: 7 });
      try {
        await worker.plan(input(3), []);
        expect(threads().filter((t) => t.nice === 7)).toEqual([{ name: SOLVER_THREAD_NAME, nice: 7 }]);
      } finally {
        await worker.close();
      }
    },
  );

  it('runs with the old generation it is given and a small young generation', async () => {
    const worker = new PlanWorker({ maxHeapMiB: 256, timeoutMs: 30_000 });
    try {
      await worker.plan(input(3), []);
      expect(worker.limits()).toMatchObject({
        maxOldGenerationSizeMb: 256,
        maxYoungGenerationSizeMb: SOLVER_YOUNG_MIB,
      });
    } finally {
      await worker.close();
    }
  });

  it('plans what the in-process solver plans, groups expanded, offerings avoided', async () => {
    const worker = new PlanWorker({ maxHeapMiB: 256, timeoutMs: 30_000 });
    try {
      const unavailable = ['c7a.large/us-east-1a/on-demand'];
      const [there, here] = await Promise.all([
        worker.plan(input(300), unavailable),
        inProcessPlanner.plan(input(300), unavailable),
      ]);
      const strip = (p: typeof there) => ({ ...p, totals: { ...p.totals, solveMillis: 0 } });
      expect(strip(there)).toEqual(strip(here));
      expect(there.totals.pods).toBe(301);
      expect(there.bindings.map((b) => b.pod)).toContain('apps/web-299');
      // The catalog crossed once; a second round reuses it.
      expect((await worker.plan(input(5), [])).totals.pods).toBe(6);
    } finally {
      await worker.close();
    }
  });

  it('loses the round, not the process, when the thread runs out of its heap; the next round gets a new thread', async () => {
    const worker = new PlanWorker({ maxHeapMiB: 24, timeoutMs: 60_000 });
    try {
      const failed = await worker.plan(input(400_000), []).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(PlannerError);
      expect((failed as PlannerError).reason).toBe('out-of-memory');
      expect((await worker.plan(input(3), [])).totals.pods).toBe(4);
    } finally {
      await worker.close();
    }
  });

  it('abandons a round past its time and replaces the thread', async () => {
    const worker = new PlanWorker({ maxHeapMiB: 512, timeoutMs: 50 });
    try {
      const failed = await worker
        .plan({ ...input(20_000), budgetMillis: 5_000 }, [])
        .catch((e: unknown) => e);
      expect((failed as PlannerError).reason).toBe('timeout');
    } finally {
      await worker.close();
    }
  });
});
