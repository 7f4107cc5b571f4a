import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { builtinCatalog } from '../../catalog/catalog.js';
import { clusterInput } from './cluster-input.js';

const pool: NodePool = {
  metadata: { name: 'general' },
  spec: {
    template: {
      spec: {
        nodeClassRef: { name: 'default' },
        startupTaints: [{ key: 'cilium.io/agent-not-ready', effect: 'NoExecute' }],
      },
    },
  },
};

const node = (name: string, labels: Record<string, string>): V1Node => ({
  metadata: { name, labels },
  spec: {
    taints: [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'cilium.io/agent-not-ready', effect: 'NoExecute' },
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    ],
  },
  status: { allocatable: { cpu: '4', memory: '16Gi', pods: '58' } },
});

const pod = (name: string, nodeName?: string): V1Pod => ({
  metadata: { name, namespace: 'apps' },
  spec: { containers: [{ name: 'c' }], ...(nodeName === undefined ? {} : { nodeName }) },
  status: { phase: 'Pending' },
});

/** The round's input for these pods and nodes, with the general pool and nothing fed. */
const inputOf = (pods: V1Pod[], nodes: V1Node[]) =>
  clusterInput({ pods, nodes, daemonSets: [], pools: [poolView(pool)], catalog: builtinCatalog(), fed: [] });

describe('the solver input from the caches', () => {
  const input = inputOf(
    [pod('a', 'n1'), pod('b')],
    [node('n1', { 'karpenter.sh/nodepool': 'general' }), node('n2', {})],
  ).solver;

  it("drops start-up taints (ephemeral ones, and the node's NodePool's startupTaints), keeps the rest", () => {
    expect(input.nodes.map((n) => [n.name, n.taints.map((t) => t.key)])).toEqual([
      ['n1', ['dedicated']],
      ['n2', ['cilium.io/agent-not-ready', 'dedicated']],
    ]);
  });

  it('binds pods to their nodes and plans the waiting ones', () => {
    expect(input.nodes[0]?.pods.map((p) => p.id)).toEqual(['apps/a']);
    expect(input.pods.map((p) => p.id)).toEqual(['apps/b']);
  });
});

describe('interrupted nodes', () => {
  it('plans the pods of a node being drained for an interruption as waiting, before they are evicted', () => {
    const interrupted = node('spot', { 'karpenter.sh/nodepool': 'general' });
    interrupted.metadata!.annotations = { 'berth.dev/disruption': 'draining:interruption' };
    const leaving = pod('leaving', 'spot');
    leaving.metadata!.deletionTimestamp = new Date();
    const input = inputOf(
      [pod('a', 'spot'), pod('b', 'n1'), leaving],
      [interrupted, node('n1', { 'karpenter.sh/nodepool': 'general' })],
    );
    expect(input.solver.pods.map((p) => p.id)).toEqual(['apps/a']);
    // Still counted on its node while it runs there.
    expect(input.solver.nodes.find((n) => n.name === 'spot')?.pods.map((p) => p.id)).toEqual([
      'apps/a',
      'apps/leaving',
    ]);
  });
});

describe('nodes a consolidation or drift drains', () => {
  // Karpenter's provisioner schedules the pods of deleting nodes beside the pending ones
  // (provisioning.Provisioner.Schedule: nodes.Deleting().ReschedulablePods()).
  it.each(['draining:multi-node', 'draining:single-node', 'draining:drift', 'draining:expiration'])(
    '%s: its pods are planned with the waiting ones, so a scale-out does not take their room',
    (phase) => {
      const going = node('going', { 'karpenter.sh/nodepool': 'general' });
      going.metadata!.annotations = { 'berth.dev/disruption': phase };
      const input = inputOf(
        [pod('a', 'going'), pod('b', 'n1')],
        [going, node('n1', { 'karpenter.sh/nodepool': 'general' })],
      );
      expect(input.solver.pods.map((p) => p.id)).toEqual(['apps/a']);
    },
  );

  it('a node only validating keeps its pods where they are (nothing is evicted before the drain)', () => {
    const checked = node('checked', { 'karpenter.sh/nodepool': 'general' });
    checked.metadata!.annotations = { 'berth.dev/disruption': 'validating:multi-node' };
    const input = inputOf([pod('a', 'checked')], [checked]);
    expect(input.solver.pods).toEqual([]);
  });
});

describe('pinned pods', () => {
  const pinned = (name: string, to: string, gated = false): V1Pod => {
    const p = pod(name);
    p.spec = {
      containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }],
      ...(gated ? { schedulingGates: [{ name: 'berth.dev/capacity' }] } : {}),
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [to] }] }],
          },
        },
      },
    };
    return p;
  };

  it('count as bound to their Node while they wait for kube-scheduler (unless still gated or the Node is gone)', () => {
    const input = inputOf(
      [pinned('a', 'n1'), pinned('b', 'gone'), pinned('c', 'n1', true), pod('d')],
      [node('n1', { 'karpenter.sh/nodepool': 'general' })],
    ).solver;
    expect(input.nodes[0]?.pods.map((p) => [p.id, p.requests.cpu])).toEqual([['apps/a', 1000]]);
    expect(input.pods.map((p) => p.id)).toEqual(['apps/b', 'apps/c', 'apps/d']);
  });
});

describe('waiting pods with bound volumes', () => {
  it("are planned only in their volumes' zones; pods without claims and bound pods are as they were", () => {
    const withClaim = (name: string, nodeName?: string): V1Pod => {
      const p = pod(name, nodeName);
      (p.spec ??= { containers: [] }).volumes = [
        { name: 'data', persistentVolumeClaim: { claimName: `data-${name}` } },
      ];
      return p;
    };
    const pvc = (name: string) => ({
      kind: 'PersistentVolumeClaim',
      metadata: { name: `data-${name}`, namespace: 'apps' },
      spec: { volumeName: `pv-${name}` },
    });
    const pv = (name: string) => ({
      kind: 'PersistentVolume',
      metadata: { name: `pv-${name}` },
      spec: {
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'topology.ebs.csi.aws.com/zone', operator: 'In', values: ['us-east-1c'] },
                ],
              },
            ],
          },
        },
      },
    });
    const input = clusterInput({
      pods: [withClaim('db-0'), withClaim('db-1', 'n1'), pod('web')],
      nodes: [node('n1', { 'karpenter.sh/nodepool': 'general' })],
      daemonSets: [],
      pools: [poolView(pool)],
      catalog: builtinCatalog(),
      fed: [],
      volumes: { pvcs: [pvc('db-0'), pvc('db-1')], pvs: [pv('db-0'), pv('db-1')] },
    }).solver;
    const zones = (id: string) =>
      input.pods
        .find((p) => p.id === id)
        ?.terms.map((t) => [...(t.get('topology.kubernetes.io/zone')?.values ?? [])]);
    expect(zones('apps/db-0')).toEqual([['us-east-1c']]);
    expect(zones('apps/web')).toEqual([[]]);
    expect(input.nodes[0]?.pods.map((p) => p.id)).toEqual(['apps/db-1']);
  });
});

// A Deployment admitted but whose pods are not there yet is planned ahead of them, unless its pods
// mount a claim: its volume decides their zone, and the pods are planned in it once they are there.
describe('admitted workloads planned ahead of their pods', () => {
  const deployment = (name: string, volumes: object[]) => ({
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'apps' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }], volumes },
        },
      },
    },
    at: 0,
  });
  it('plans a workload without claims, not one whose pods mount a claim', () => {
    const input = clusterInput({
      pods: [],
      nodes: [],
      daemonSets: [],
      pools: [poolView(pool)],
      catalog: builtinCatalog(),
      fed: [
        deployment('web', [{ name: 'tmp', emptyDir: {} }]),
        deployment('stateful', [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }]),
      ],
    });
    const planned = [
      ...input.solver.pods.map((p) => p.id),
      ...(input.solver.groups ?? []).map((g) => g.pod.id),
    ];
    expect(planned.some((id) => id.includes('web'))).toBe(true);
    expect(planned.some((id) => id.includes('stateful'))).toBe(false);
  });
});
