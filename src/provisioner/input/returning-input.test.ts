import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import type { KubeObject } from '../../kube/objects.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { clusterInput } from './cluster-input.js';
import { returningInput } from './returning-input.js';
import { replicaGroup } from './pods.js';

const catalog = builtinCatalog();
const resources = (cpu: string, memory: string) => ({ requests: { cpu, memory } });
// bench:cluster churn's two Deployments: api's pods 900m/3100Mi, web's 3500m/28Gi.
const deployment = (name: string, replicas: number, cpu: string, memory: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'perf', generation: 2 },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', resources: resources(cpu, memory) }] },
    },
  },
});
const toCome = (workload: string, i: number, cpu: string, memory: string): V1Pod => ({
  metadata: {
    name: `${workload}-returning-${i}`,
    namespace: 'perf',
    labels: { app: workload },
    annotations: { 'berth.dev/returning-for': `perf/Deployment/${workload}` },
  },
  spec: { containers: [{ name: 'c', resources: resources(cpu, memory) }] },
  status: { phase: 'Pending' },
});
const node = (name: string, cpu: string, memory: string): V1Node => ({
  metadata: { name, labels: { 'karpenter.sh/nodepool': 'perf' } },
  status: { allocatable: { cpu, memory, pods: '110' } },
});
const pool: NodePool = {
  metadata: { name: 'perf' },
  spec: { template: { spec: { nodeClassRef: { name: 'default' } } } },
};

describe('returningInput', () => {
  const api = deployment('api', 2, '900m', '3100Mi');
  const group = replicaGroup(api, 'perf', 0, 2);
  const ahead = new Map(group ? [['perf/Deployment/api', group]] : []);
  const returning = [1, 2, 3].map((i) => toCome('api', i, '900m', '3100Mi'));

  it('adds only the pods still to come beyond the replicas planned ahead, and counts those as the workload’s', () => {
    const r = returningInput([], returning, new Set(), ahead);
    expect(r.coming.map((p) => p.id)).toEqual(['perf/api-returning-3']);
    expect([...r.theirs].sort()).toEqual(['perf/api-0', 'perf/api-1']);
  });

  it('adds them all when nothing is planned ahead, and nothing when nothing is coming back', () => {
    expect(returningInput([], returning, new Set(), new Map()).coming).toHaveLength(3);
    expect(returningInput([], [], new Set(['perf/Deployment/api']), ahead)).toEqual({
      coming: [],
      theirs: new Set(),
    });
  });
});

describe('a round at a high, the first workload scaled through its spec', () => {
  // The low left a hole a web pod fits in and one for two api pods. api was scaled first: its two
  // replicas are planned ahead of their pods, and they are two of its pods still to come as well.
  const round = () =>
    clusterInput({
      pods: [],
      nodes: [node('wide-hole', '4', '32Gi'), node('narrow-hole', '2', '8Gi')],
      daemonSets: [],
      pools: [poolView(pool)],
      catalog,
      fed: [{ object: deployment('api', 2, '900m', '3100Mi'), at: 0 }],
      returning: [
        toCome('api', 1, '900m', '3100Mi'),
        toCome('api', 2, '900m', '3100Mi'),
        toCome('web', 1, '3500m', '28Gi'),
      ],
      cameBack: new Set(['perf/Deployment/api', 'perf/Deployment/web']),
    });

  it("keeps the hole for web's pod still to come; api's replicas are planned once, beside it", () => {
    const r = round();
    expect(r.returningKept).toBe(1);
    expect(r.solver.nodes.find((n) => n.name === 'wide-hole')?.pods.map((p) => p.id)).toEqual([
      'perf/web-returning-1',
    ]);
    expect(r.solver.groups?.map((g) => g.count)).toEqual([2]);
  });
});
