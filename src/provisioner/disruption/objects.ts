/**
 * The objects disruption reads, picked out of a mixed list (files offline): Nodes, bound Pods, PDBs,
 * each once (the same file may be given as -f and --nodes).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import type { PDB } from '../../policies/view.js';

export function clusterObjects(objects: readonly KubeObject[]): {
  nodes: V1Node[];
  pods: V1Pod[];
  pdbs: PDB[];
} {
  const nodes: V1Node[] = [];
  const pods: V1Pod[] = [];
  const pdbs: PDB[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    const key = `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (o.kind === 'Node') nodes.push(o);
    else if (o.kind === 'Pod' && typeof (o as V1Pod).spec?.nodeName === 'string') pods.push(o);
    else if (o.kind === 'PodDisruptionBudget') pdbs.push(o);
  }
  return { nodes, pods, pdbs };
}
