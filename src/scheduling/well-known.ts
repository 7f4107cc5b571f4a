/**
 * The kubelet's legacy well-known node labels, read as their current keys (Karpenter's
 * NormalizedLabels, pkg/apis/v1/labels.go): every node carries both, so a pod that selects
 * `beta.kubernetes.io/os` asks exactly what one selecting `kubernetes.io/os` asks. Pod requirements
 * and topology keys are normalised where they are read; the nodes Berth launches carry both.
 */
export const NORMALIZED_LABELS: Readonly<Record<string, string>> = {
  'failure-domain.beta.kubernetes.io/zone': 'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region': 'topology.kubernetes.io/region',
  'beta.kubernetes.io/arch': 'kubernetes.io/arch',
  'beta.kubernetes.io/os': 'kubernetes.io/os',
  'beta.kubernetes.io/instance-type': 'node.kubernetes.io/instance-type',
};

/** The current key of a legacy well-known label; any other key as it is. */
export function normalizedKey(key: string): string {
  return NORMALIZED_LABELS[key] ?? key;
}

/** The legacy labels a kubelet sets beside the current ones, from a node's current labels. */
export function legacyLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [legacy, current] of Object.entries(NORMALIZED_LABELS)) {
    const v = labels[current];
    if (v !== undefined) out[legacy] = v;
  }
  return out;
}
