import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { clusterInput } from '../input/cluster-input.js';
import { solverPod } from '../input/pods.js';
import type { ExistingNode, SolverInput } from '../solver/model.js';
import { ZERO } from '../solver/resources.js';
import { solve } from '../solver/solve.js';
import { keepReturningRoom } from './returning-room.js';

const catalog = builtinCatalog();
const pod = (id: string, cpu: string, memory: string) =>
  solverPod(id, 'perf', {
    metadata: {},
    spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory } } }] },
  });
// bench:cluster churn's two shapes.
const small = (i: number) => pod(`perf/small-${i}`, '900m', '3100Mi');
const large = (i: number) => pod(`perf/large-${i}`, '3500m', '28Gi');
const node = (name: string, cpu: number, memMiB: number): ExistingNode => ({
  name,
  labels: {},
  taints: [],
  allocatable: { ...ZERO, cpu, mem: memMiB, pods: 110 },
  pods: [],
  inFlight: false,
});
// The low left a hole a large pod fits in, and one only a small pod fits in.
const nodes = [node('wide-hole', 4000, 32 * 1024), node('narrow-hole', 1000, 4096)];
const input = (pods: SolverInput['pods'], on = nodes): SolverInput => ({
  pods,
  nodes: on,
  pools: [],
  daemonSets: [],
  catalog,
});
const placed = (i: SolverInput) =>
  Object.fromEntries(solve({ ...i, budgetMillis: 0, skipBound: true }).bindings.map((b) => [b.pod, b.node]));

describe('keepReturningRoom', () => {
  it('without it, the first pod back takes the hole the larger one still to come needs', () => {
    expect(placed(input([small(1)]))).toEqual({ 'perf/small-1': 'wide-hole' });
  });

  it('keeps the hole for the pod still to come, and the waiting pod goes where the room is its', () => {
    const room = keepReturningRoom(input([small(1)]), [large(1)]);
    expect(room.kept).toBe(1);
    expect(room.input.nodes.find((n) => n.name === 'wide-hole')?.pods.map((p) => p.id)).toEqual([
      'perf/large-1',
    ]);
    expect(room.input.pods.map((p) => p.id)).toEqual(['perf/small-1']);
    expect(placed(room.input)).toEqual({ 'perf/small-1': 'narrow-hole' });
  });

  it('keeps nothing when the pods still to come would leave a waiting pod without the room it has', () => {
    const room = keepReturningRoom(input([small(1)], [node('wide-hole', 4000, 32 * 1024)]), [large(1)]);
    expect(room.kept).toBe(0);
    expect(room.input.nodes[0]?.pods).toEqual([]);
  });

  it('places the waiting pods of the workload coming back with its pods still to come, as one', () => {
    const room = keepReturningRoom(
      input([small(1)], [node('wide-hole', 4000, 32 * 1024)]),
      [large(1)],
      new Set(['perf/small-1']),
    );
    expect(room.kept).toBe(1);
    expect(room.input.nodes[0]?.pods.map((p) => p.id)).toEqual(['perf/large-1']);
  });

  it('places larger pods first: two small pods of its own leave the only wide hole to the large one', () => {
    const room = keepReturningRoom(
      input([small(1), small(2)], [node('wide-hole', 4000, 32 * 1024), node('narrow-hole', 2000, 8192)]),
      [large(1)],
      new Set(['perf/small-1', 'perf/small-2']),
    );
    expect(room.kept).toBe(1);
    expect(room.input.nodes.find((n) => n.name === 'wide-hole')?.pods.map((p) => p.id)).toEqual([
      'perf/large-1',
    ]);
  });

  it('gives a pod that is there the room before one still to come of its size', () => {
    const room = keepReturningRoom(
      input([large(2)], [node('wide-hole', 4000, 32 * 1024)]),
      [large(1)],
      new Set(['perf/large-2']),
    );
    expect(room.kept).toBe(0);
    expect(room.input.nodes[0]?.pods).toEqual([]);
  });

  it('buys nothing for them: those that fit no node keep no room and are no pods to plan', () => {
    const room = keepReturningRoom(input([], [node('narrow-hole', 1000, 4096)]), [large(1), small(2)]);
    expect(room.kept).toBe(1);
    expect(room.input.nodes[0]?.pods.map((p) => p.id)).toEqual(['perf/small-2']);
    expect(room.input.pods).toEqual([]);
  });

  it('keeps nothing for pods placed by where others are: kube-scheduler counts only pods that exist', () => {
    const spread = solverPod('perf/large-1', 'perf', {
      metadata: { labels: { app: 'large' } },
      spec: {
        containers: [{ name: 'c', resources: { requests: { cpu: '3500m', memory: '28Gi' } } }],
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: { app: 'large' } },
          },
        ],
      },
    });
    expect(spread.spread).toHaveLength(1);
    expect(keepReturningRoom(input([small(1)]), [spread]).kept).toBe(0);
  });

  it('changes nothing when nothing is coming back, or there is no node', () => {
    const i = input([small(1)]);
    expect(keepReturningRoom(i, []).input).toBe(i);
    const bare = input([small(1)], []);
    expect(keepReturningRoom(bare, [large(1)])).toEqual({ input: bare, kept: 0 });
  });
});

describe('the round input keeps the room of the pods a workload brings back', () => {
  const pool: NodePool = {
    metadata: { name: 'perf' },
    spec: { template: { spec: { nodeClassRef: { name: 'default' } } } },
  };
  const v1Node = (name: string, cpu: string, memory: string): V1Node => ({
    metadata: { name, labels: { 'karpenter.sh/nodepool': 'perf' } },
    status: { allocatable: { cpu, memory, pods: '110' } },
  });
  const v1Pod = (name: string, cpu: string, memory: string): V1Pod => ({
    metadata: { name, namespace: 'perf' },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory } } }] },
    status: { phase: 'Pending' },
  });

  it('takes it on the nodes before the waiting pods are planned', () => {
    const round = clusterInput({
      pods: [v1Pod('small-1', '900m', '3100Mi')],
      nodes: [v1Node('wide-hole', '4', '32Gi'), v1Node('narrow-hole', '1', '4Gi')],
      daemonSets: [],
      pools: [poolView(pool)],
      catalog,
      fed: [],
      returning: [v1Pod('large-returning-1', '3500m', '28Gi')],
    });
    expect(round.returningKept).toBe(1);
    expect(round.solver.nodes.find((n) => n.name === 'wide-hole')?.pods.map((p) => p.id)).toEqual([
      'perf/large-returning-1',
    ]);
    expect(round.solver.pods.map((p) => p.id)).toEqual(['perf/small-1']);
  });

  it("counts a waiting pod of the workload coming back as the workload's, not another's", () => {
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8', uid: 'u', controller: true };
    const mine = (name: string, cpu: string, memory: string): V1Pod => {
      const p = v1Pod(name, cpu, memory);
      p.metadata = {
        name,
        namespace: 'perf',
        labels: { 'pod-template-hash': '5d8' },
        ownerReferences: [owner],
      };
      return p;
    };
    const coming = mine('web-5d8-returning-1', '3500m', '28Gi');
    coming.metadata!.annotations = { 'berth.dev/returning-for': 'perf/Deployment/web' };
    const round = (waiting: V1Pod, cameBack: ReadonlySet<string> = new Set()) =>
      clusterInput({
        pods: [waiting],
        nodes: [v1Node('wide-hole', '4', '32Gi')],
        daemonSets: [],
        pools: [poolView(pool)],
        catalog,
        fed: [],
        returning: [coming],
        cameBack,
      }).returningKept;
    // Its own small pod gives the hole to the large one still to come; another workload's keeps it,
    // unless that workload came back within the window too (at a high, it was scaled first).
    expect(round(mine('web-5d8-a', '900m', '3100Mi'))).toBe(1);
    expect(round(v1Pod('other', '900m', '3100Mi'))).toBe(0);
    const api = v1Pod('api-7c9-a', '900m', '3100Mi');
    api.metadata = {
      name: 'api-7c9-a',
      namespace: 'perf',
      labels: { 'pod-template-hash': '7c9' },
      ownerReferences: [{ ...owner, name: 'api-7c9' }],
    };
    expect(round(api, new Set(['perf/Deployment/api', 'perf/Deployment/web']))).toBe(1);
  });
});
