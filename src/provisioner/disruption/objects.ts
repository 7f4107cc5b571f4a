/**
 * The objects disruption reads, picked out of a mixed list (files offline): Nodes, Pods bound or that
 * the cluster shows Pending (on their way: their room is kept, waiting.ts), PDBs, each once (the same
 * file may be given as -f and --nodes). A Pod manifest with no status is not in the cluster yet.
 * CapacityBuffers' virtual pods are Pending pods too: their room is kept as the cluster's leader keeps it.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import type { PDB } from '../../policies/view.js';
import { bufferPods } from '../../scheduling/capacity-buffer.js';

const pending = (o: V1Pod): boolean => o.status?.phase === 'Pending';

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
    else if (o.kind === 'Pod' && (typeof (o as V1Pod).spec?.nodeName === 'string' || pending(o)))
      pods.push(o);
    else if (o.kind === 'PodDisruptionBudget') pdbs.push(o);
  }
  const buffers = objects.filter((o) => o.kind === 'CapacityBuffer');
  if (buffers.length > 0) pods.push(...bufferPods(buffers, objects));
  return { nodes, pods, pdbs };
}
