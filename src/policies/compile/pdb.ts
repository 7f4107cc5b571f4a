/** disruption.* → the PodDisruptionBudget `<workload>-berth` that the profile controller owns. */
import type { V1ObjectMeta, V1PodDisruptionBudget, V1PodDisruptionBudgetSpec } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { isReplicated, workloadSelector } from '../../kube/workload.js';
import { cloneSelector } from '../../kube/selector.js';
import type { WorkloadProfile } from '../schema/profile-schema.js';

export const PDB_SUFFIX = '-berth';

export function generatedPdbName(workloadName: string): string {
  return `${workloadName}${PDB_SUFFIX}`;
}

function pdbMetadata(workload: KubeObject, profile: WorkloadProfile): V1ObjectMeta {
  const name = workload.metadata?.name ?? '';
  const meta: V1ObjectMeta = {
    name: generatedPdbName(name),
    labels: { 'berth.dev/profile': profile.metadata.name, 'app.kubernetes.io/managed-by': 'berth' },
    annotations: { 'berth.dev/generated-for': `${workload.kind ?? ''}/${name}` },
  };
  if (workload.metadata?.namespace !== undefined) meta.namespace = workload.metadata.namespace;
  const uid = workload.metadata?.uid;
  if (uid !== undefined && workload.apiVersion !== undefined && workload.kind !== undefined) {
    meta.ownerReferences = [
      { apiVersion: workload.apiVersion, kind: workload.kind, name, uid, controller: false },
    ];
  }
  return meta;
}

/** The PDB a profile generates for a workload; undefined when the profile sets no disruption budget. */
export function generatePdb(
  workload: KubeObject,
  profile: WorkloadProfile,
): V1PodDisruptionBudget | undefined {
  const d = profile.spec.disruption;
  if (d?.minAvailable === undefined && d?.maxUnavailable === undefined) return undefined;
  const selector = isReplicated(workload.kind) ? workloadSelector(workload) : undefined;
  if (!selector) return undefined;
  const spec: V1PodDisruptionBudgetSpec = { selector: cloneSelector(selector) };
  if (d.maxUnavailable !== undefined) spec.maxUnavailable = d.maxUnavailable;
  else if (d.minAvailable !== undefined) spec.minAvailable = d.minAvailable;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: pdbMetadata(workload, profile),
    spec,
  };
}
