/** disruption.* → the PodDisruptionBudget `<workload>-berth` that the profile controller owns. */
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { isReplicated, workloadSelector } from '../../kube/workload.js';
import type { WorkloadProfile } from '../schema/profile-schema.js';

export const PDB_SUFFIX = '-berth';

export function generatedPdbName(workloadName: string): string {
  return `${workloadName}${PDB_SUFFIX}`;
}

/** The PDB a profile generates for a workload; undefined when the profile sets no disruption budget. */
export function generatePdb(workload: KubeObject, profile: WorkloadProfile): V1PodDisruptionBudget | undefined {
  const d = profile.spec.disruption;
  if (!d || (d.minAvailable === undefined && d.maxUnavailable === undefined)) return undefined;
  if (!isReplicated(workload.kind)) return undefined;
  const selector = workloadSelector(workload);
  if (!selector) return undefined;
  const name = workload.metadata?.name ?? '';
  const pdb: V1PodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: generatedPdbName(name),
      labels: { 'berth.dev/profile': profile.metadata.name, 'app.kubernetes.io/managed-by': 'berth' },
      annotations: { 'berth.dev/generated-for': `${workload.kind ?? ''}/${name}` },
    },
    spec: { selector: structuredClone(selector) },
  };
  if (workload.metadata?.namespace !== undefined) pdb.metadata!.namespace = workload.metadata.namespace;
  const uid = workload.metadata?.uid;
  if (uid !== undefined && workload.apiVersion !== undefined && workload.kind !== undefined) {
    pdb.metadata!.ownerReferences = [{ apiVersion: workload.apiVersion, kind: workload.kind, name, uid, controller: false }];
  }
  if (d.maxUnavailable !== undefined) pdb.spec!.maxUnavailable = d.maxUnavailable;
  else if (d.minAvailable !== undefined) pdb.spec!.minAvailable = d.minAvailable;
  return pdb;
}
