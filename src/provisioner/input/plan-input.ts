/**
 * The solver's input from Kubernetes objects, as `berth plan` reads them from files and the controller
 * from its caches: pending pods and workload replicas (as admitted: compiled against their profiles),
 * DaemonSets, Nodes with the pods bound to them, and NodePools.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { poolViewWithClass, type EC2NodeClass, type NodePool } from '../../scheduling/nodepool.js';
import type { Catalog } from '../../catalog/catalog.js';
import { withOverlays, type NodeOverlay } from '../../scheduling/node-overlay.js';
import type { DaemonSetShape, SolverInput, SolverPod } from '../solver/model.js';
import { existingNode } from './nodes.js';
import { LABEL } from '../../catalog/instance-type.js';
import { addUsage, type PoolUsage } from '../nodeclaim/pool-status.js';
import { countType, emptyUsage } from '../solver/pools.js';
import { daemonSetOf, podsOf } from './pods.js';
import { bufferPods } from '../../scheduling/capacity-buffer.js';
import { spreadWorldOf, withDefaultSpread } from '../../scheduling/default-spread.js';
import type { DefaultConstraint } from '../../scheduling/scheduler-config.js';

export interface ObjectsInput {
  /** Objects as admitted (workloads compiled), pods, DaemonSets. */
  readonly objects: readonly KubeObject[];
  /** Node objects and the pods bound to them. */
  readonly cluster: readonly KubeObject[];
  readonly nodePools: readonly NodePool[];
  /** The pools' EC2NodeClasses, when known: their kubelet and volumes shape the instance types. */
  readonly nodeClasses?: readonly EC2NodeClass[];
  /** NodeOverlays: the pools' types at their prices and with their extended resources. */
  readonly nodeOverlays?: readonly NodeOverlay[];
  readonly catalog: Catalog;
  readonly defaultNamespace: string;
  /** The cluster's default topology spread constraints (`--scheduler-config`), for pods declaring none. */
  readonly defaultSpread?: readonly DefaultConstraint[];
}

/** The minReplicas of the HPAs among the objects, by `namespace/kind/name` of what they scale. */
function hpaMinimums(objects: readonly KubeObject[], defaultNamespace: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const o of objects) {
    if (o.kind !== 'HorizontalPodAutoscaler') continue;
    const spec = o.spec as
      { scaleTargetRef?: { kind?: string; name?: string }; minReplicas?: number } | undefined;
    const t = spec?.scaleTargetRef;
    if (t?.kind === undefined || t.name === undefined) continue;
    out.set(`${o.metadata?.namespace ?? defaultNamespace}/${t.kind}/${t.name}`, spec?.minReplicas ?? 1);
  }
  return out;
}

/** The cluster's default spread on the objects' pod templates (the objects themselves without one). */
function spreaderOf(all: readonly KubeObject[], input: ObjectsInput): (o: KubeObject) => KubeObject {
  const defaults = input.defaultSpread ?? [];
  if (defaults.length === 0) return (o) => o;
  const world = spreadWorldOf(all, input.defaultNamespace);
  return (o) => withDefaultSpread(o, input.defaultNamespace, defaults, world);
}

export function solverInputOf(input: ObjectsInput): SolverInput {
  const pods: SolverPod[] = [];
  const daemonSets: DaemonSetShape[] = [];
  const all = [...input.objects, ...input.cluster];
  const hpaMin = hpaMinimums(all, input.defaultNamespace);
  const spread = spreaderOf(all, input);
  for (const raw of all) {
    const obj = raw.kind === 'DaemonSet' ? raw : spread(raw);
    const ds = daemonSetOf(obj);
    if (ds) daemonSets.push(ds);
    else if (!(obj.kind === 'Pod' && input.cluster.includes(raw))) {
      const key = `${obj.metadata?.namespace ?? input.defaultNamespace}/${obj.kind ?? ''}/${obj.metadata?.name ?? ''}`;
      pods.push(...podsOf(obj, input.defaultNamespace, hpaMin.get(key)));
    }
  }
  // CapacityBuffers: each chunk a pod to buy room for (scheduling/capacity-buffer.ts).
  const buffers = all.filter((o) => o.kind === 'CapacityBuffer');
  for (const vp of buffers.length > 0 ? bufferPods(buffers, all) : [])
    pods.push(...podsOf(spread(vp as KubeObject), input.defaultNamespace));
  const bound = [...input.objects, ...input.cluster].filter(
    (o): o is KubeObject & V1Pod => o.kind === 'Pod' && typeof (o as V1Pod).spec?.nodeName === 'string',
  );
  const nodeObjects = input.cluster.filter((o): o is KubeObject & V1Node => o.kind === 'Node');
  const nodes = nodeObjects.map((n) => existingNode(n, bound));
  return {
    pods: dedupe(pods),
    nodes,
    poolUsage: nodesUsage(nodeObjects, input.catalog),
    pools: withOverlays(
      input.nodePools.map((p) => {
        const ref = p.spec.template.spec.nodeClassRef;
        return poolViewWithClass(
          p,
          input.nodeClasses?.find((c) => c.metadata.name === ref?.name),
        );
      }),
      input.nodeOverlays ?? [],
      input.catalog,
    ).views,
    daemonSets,
    catalog: input.catalog,
  };
}

/**
 * What each NodePool's Nodes count against its limits, as Karpenter's counter sums them: every Node
 * labelled with the pool, by its status.capacity (or, in a hand-written file, its instance type's).
 */
export function nodesUsage(nodes: readonly V1Node[], catalog: Catalog): Map<string, PoolUsage> {
  const out = new Map<string, PoolUsage>();
  for (const n of nodes) {
    const labels = n.metadata?.labels ?? {};
    const pool = labels[LABEL.nodePool];
    if (pool === undefined) continue;
    const type = catalog.byName(labels[LABEL.instanceType] ?? '');
    const capacity: Record<string, string | number> = n.status?.capacity ?? {};
    const u = out.get(pool) ?? {};
    if (Object.keys(capacity).length > 0 || !type) addUsage(u, capacity);
    else {
      // As the solver counts a node of the type (its whole capacity, and one node).
      const counted = { ...emptyUsage(), ...u };
      countType(counted, type, 1);
      Object.assign(u, counted);
    }
    out.set(pool, u);
  }
  return out;
}

/** A pod named twice (e.g. in two files) is planned once. */
function dedupe(pods: readonly SolverPod[]): SolverPod[] {
  const seen = new Set<string>();
  return pods.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
}
