/**
 * The annotations a node being disrupted carries, so that a new leader finds the drain where the old
 * one left it (the `karpenter.sh/disrupted` taint is in candidates.ts). Values only: read by the
 * round's input, which must not load the Kubernetes client.
 */
/** On a node being disrupted: `validating:<method>`, then `draining:<method>` (with the taint, the drain's state). */
export const DISRUPTION_ANNOTATION = 'berth.dev/disruption';
/** The phases that annotation's value starts with; the method follows. */
export const VALIDATING = 'validating:';
export const DRAINING = 'draining:';

/** Whether a node is being drained (interrupted, repaired, or disrupted by any method). */
export const isDraining = (n: { metadata?: { annotations?: Record<string, string> } }): boolean =>
  n.metadata?.annotations?.[DISRUPTION_ANNOTATION]?.startsWith(DRAINING) === true;
/** The claims launched to replace it (comma-separated), and when the decision was made (ISO 8601). */
export const REPLACEMENTS_ANNOTATION = 'berth.dev/replacements';
export const SINCE_ANNOTATION = 'berth.dev/disruption-since';
/** The decision that marked the node (its nodes validate and drain together; several may be under way). */
export const DECISION_ANNOTATION = 'berth.dev/disruption-decision';
/** The drain phase of a node being repaired (node/health): its pods are planned before they leave. */
export const REPAIR_PHASE = `${DRAINING}repair`;
