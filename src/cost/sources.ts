/**
 * What cost attribution reads, from the two places it is asked: a cluster's Nodes and bound Pods
 * (`berth cost` against a cluster, the operator's gauges), and a plan (`berth cost -f …`, offline).
 */
import { boundPodRequests } from '../kube/pod-resize.js';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { LABEL, type InstanceType } from '../catalog/instance-type.js';
import type { Catalog } from '../catalog/catalog.js';
import { poolPriceOfLabels, type PoolView } from '../scheduling/nodepool.js';
import { cpuMillis, memoryMiB } from '../kube/quantity.js';
import type { KubeObject } from '../kube/objects.js';
import { CLASS_LABEL } from '../kube/berth-labels.js';
import type { Plan, SolverPod } from '../provisioner/solver/model.js';
import type { CostNode, CostPod } from './attribute.js';
import { ownerIndex, type Owner } from './owners.js';

/** `Kind/name` of the workload a pod belongs to: a ReplicaSet's pods are their Deployment's. */
export function workloadOfPod(pod: V1Pod): string {
  const meta = pod.metadata ?? {};
  const owners = meta.ownerReferences ?? [];
  const ref = owners.find((o) => o.controller === true) ?? owners[0];
  if (!ref) return `Pod/${meta.name ?? ''}`;
  const hash = meta.labels?.['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && hash !== undefined && ref.name.endsWith(`-${hash}`))
    return `Deployment/${ref.name.slice(0, -hash.length - 1)}`;
  return `${ref.kind}/${ref.name}`;
}

/** What a node of a NodePool costs beside its instance (0 for a node of no NodePool Berth knows). */
export type NodeCostOf = (nodePool: string) => number | undefined;

/** A node with a known instance type and price; undefined for one the catalog cannot price. */
function costNodeOf(
  n: V1Node,
  catalog: Catalog,
  pools: readonly PoolView[],
  nodeCostOf: NodeCostOf,
): CostNode | undefined {
  const labels = n.metadata?.labels ?? {};
  const price = poolPriceOfLabels(catalog, pools, labels);
  if (price <= 0) return undefined;
  const nodePool = labels[LABEL.nodePool] ?? '';
  return {
    name: n.metadata?.name ?? '',
    nodePool,
    pricePerHour: price,
    nodeCostPerHour: nodeCostOf(nodePool) ?? 0,
    ...allocatableOf(n, catalog.byName(labels[LABEL.instanceType] ?? '')),
  };
}

/** The Node's allocatable CPU and memory, else its instance type's. */
function allocatableOf(n: V1Node, type: InstanceType | undefined): { cpu: number; mem: number } {
  const alloc = n.status?.allocatable ?? {};
  return {
    cpu: cpuMillis(alloc.cpu) ?? type?.allocatable.cpuMillis ?? 0,
    mem: memoryMiB(alloc.memory) ?? type?.allocatable.memoryMiB ?? 0,
  };
}

const finished = (p: V1Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

function costPodOf(p: V1Pod, node: string): CostPod {
  const r = boundPodRequests(p);
  return {
    node,
    namespace: p.metadata?.namespace ?? 'default',
    workload: workloadOfPod(p),
    runtimeClass: p.metadata?.labels?.[CLASS_LABEL] ?? '',
    cpu: r.cpuMillis,
    mem: r.memoryMiB,
  };
}

/**
 * Nodes with a known instance type and price (at their NodePool's overlay prices when the pools are
 * given), and the running (or starting) pods bound to them.
 */
export function clusterCostInput(
  nodes: readonly V1Node[],
  pods: readonly V1Pod[],
  catalog: Catalog,
  pools: readonly PoolView[] = [],
  nodeCostOf: NodeCostOf = () => undefined,
): { nodes: CostNode[]; pods: CostPod[] } {
  const costNodes = nodes.flatMap((n) => costNodeOf(n, catalog, pools, nodeCostOf) ?? []);
  const known = new Set(costNodes.map((n) => n.name));
  const costPods: CostPod[] = [];
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (node !== undefined && known.has(node) && !finished(p)) costPods.push(costPodOf(p, node));
  }
  return { nodes: costNodes, pods: costPods };
}

type Allocatable = { cpu: number; mem: number };

/**
 * A plan's nodes (new and existing) and the pods it puts on them. Replicas are named
 * `<namespace>/<workload>-<i>` by the plan; `objects` (as admitted) name their workload and class.
 */
export function planCostInput(
  plan: Plan,
  pods: readonly SolverPod[],
  objects: readonly KubeObject[],
  allocatableOf: (node: Plan['nodes'][number]) => Allocatable | undefined,
  nodeCostOf: NodeCostOf = () => undefined,
): { nodes: CostNode[]; pods: CostPod[] } {
  const byId = new Map(pods.map((p) => [p.id, p]));
  const owners = ownerIndex(objects);
  const ownerOf = (id: string) => owners.get(id) ?? owners.get(id.replace(/-\d+$/, ''));
  const nodes: CostNode[] = [];
  const costPods: CostPod[] = [];
  for (const n of plan.nodes) {
    const alloc = allocatableOf(n) ?? { cpu: 0, mem: 0 };
    nodes.push({
      name: n.name,
      nodePool: n.nodePool,
      pricePerHour: n.pricePerHour,
      nodeCostPerHour: n.nodeCostPerHour ?? nodeCostOf(n.nodePool) ?? 0,
      ...alloc,
    });
    for (const id of n.pods) costPods.push(plannedPod(id, n.name, byId.get(id), ownerOf(id)));
  }
  return { nodes, pods: costPods };
}

function plannedPod(id: string, node: string, p: SolverPod | undefined, owner: Owner | undefined): CostPod {
  const [ns = '', name = ''] = id.split('/', 2);
  return {
    node,
    namespace: p?.namespace ?? ns,
    workload: owner?.workload ?? `Pod/${name}`,
    runtimeClass: owner?.runtimeClass ?? p?.labels[CLASS_LABEL] ?? '',
    cpu: p?.requests.cpu ?? 0,
    mem: p?.requests.mem ?? 0,
  };
}
