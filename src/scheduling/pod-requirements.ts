/** What a pod asks of a node: its node selector and required node affinity as requirement terms. */
import type { V1PodSpec } from '@kubernetes/client-node';
import { Requirements, type NodeSelectorRequirement } from './requirements.js';
import { normalizedKey } from './well-known.js';

const normalized = (r: NodeSelectorRequirement): NodeSelectorRequirement => ({
  ...r,
  key: normalizedKey(r.key),
});

/**
 * The alternatives (OR) of the pod's required node affinity, each ANDed with its nodeSelector.
 * A pod with no required affinity has a single term: the node selector. Legacy well-known label keys
 * are read as their current keys (well-known.ts).
 */
export function podRequirementTerms(spec: V1PodSpec): Requirements[] {
  const selector = Requirements.of(
    Object.entries(spec.nodeSelector ?? {}).map(([key, v]) => ({
      key: normalizedKey(key),
      operator: 'In',
      values: [v],
    })),
  );
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  // An empty list of terms matches no node in the API; the API server rejects it, so treat as absent.
  if (terms.length === 0) return [selector];
  return terms.map((t) => selector.merge(Requirements.of((t.matchExpressions ?? []).map(normalized))));
}
