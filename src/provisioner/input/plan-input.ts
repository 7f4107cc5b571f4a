/**
 * The solver's input from Kubernetes objects, as `berth plan` reads them from files and the controller
 * from its caches: pending pods and workload replicas (as admitted: compiled against their profiles),
 * DaemonSets, Nodes with the pods bound to them, and NodePools.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import type { Catalog } from '../catalog/catalog.js';
import type { DaemonSetShape, SolverInput, SolverPod } from '../solver/model.js';
import { existingNode } from './nodes.js';
import { daemonSetOf, podsOf } from './pods.js';

export interface ObjectsInput {
  /** Objects as admitted (workloads compiled), pods, DaemonSets. */
  readonly objects: readonly KubeObject[];
  /** Node objects and the pods bound to them. */
  readonly cluster: readonly KubeObject[];
  readonly nodePools: readonly NodePool[];
  readonly catalog: Catalog;
  readonly defaultNamespace: string;
}

export function solverInputOf(input: ObjectsInput): SolverInput {
  const pods: SolverPod[] = [];
  const daemonSets: DaemonSetShape[] = [];
  for (const obj of [...input.objects, ...input.cluster]) {
    const ds = daemonSetOf(obj);
    if (ds) daemonSets.push(ds);
    else if (!(obj.kind === 'Pod' && input.cluster.includes(obj)))
      pods.push(...podsOf(obj, input.defaultNamespace));
  }
  const bound = [...input.objects, ...input.cluster].filter(
    (o): o is KubeObject & V1Pod => o.kind === 'Pod' && typeof (o as V1Pod).spec?.nodeName === 'string',
  );
  const nodes = input.cluster
    .filter((o): o is KubeObject & V1Node => o.kind === 'Node')
    .map((n) => existingNode(n, bound));
  return {
    pods: dedupe(pods),
    nodes,
    pools: input.nodePools.map(poolView),
    daemonSets,
    catalog: input.catalog,
  };
}

/** A pod named twice (e.g. in two files) is planned once. */
function dedupe(pods: readonly SolverPod[]): SolverPod[] {
  const seen = new Set<string>();
  return pods.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
}
