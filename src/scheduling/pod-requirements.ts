/** What a pod asks of a node: its node selector and required node affinity as requirement terms. */
import type { V1PodSpec } from '@kubernetes/client-node';
import { Requirements } from './requirements.js';

/**
 * The alternatives (OR) of the pod's required node affinity, each ANDed with its nodeSelector.
 * A pod with no required affinity has a single term: the node selector.
 */
export function podRequirementTerms(spec: V1PodSpec): Requirements[] {
  const selector = Requirements.fromLabels(spec.nodeSelector ?? {});
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  // An empty list of terms matches no node in the API; the API server rejects it, so treat as absent.
  if (terms.length === 0) return [selector];
  return terms.map((t) => selector.merge(Requirements.of(t.matchExpressions ?? [])));
}
