/** Label selectors with the API's semantics (metav1.LabelSelectorAsSelector). */

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

/** A deep copy of a selector (cheaper than structuredClone, which serializes). */
export function cloneSelector(selector: LabelSelector): LabelSelector {
  const out: LabelSelector = {};
  if (selector.matchLabels) out.matchLabels = { ...selector.matchLabels };
  if (selector.matchExpressions)
    out.matchExpressions = selector.matchExpressions.map((e) =>
      e.values ? { ...e, values: [...e.values] } : { ...e },
    );
  return out;
}

/**
 * Whether a selector matches a label set. A null/undefined selector matches nothing; an empty selector
 * ({}) matches everything — the policy/v1 PodDisruptionBudget semantics.
 */
export function selectorMatches(selector: LabelSelector | null | undefined, labels: Labels): boolean {
  if (selector === null || selector === undefined) return false;
  // Loops, not entries()/every(): admission matches selectors on every review, allocating nothing.
  const matchLabels = selector.matchLabels;
  if (matchLabels) for (const key in matchLabels) if (labels[key] !== matchLabels[key]) return false;
  const expressions = selector.matchExpressions;
  if (expressions) for (const req of expressions) if (!expressionMatches(req, labels)) return false;
  return true;
}

function expressionMatches(req: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && value !== undefined && values.includes(value);
    case 'NotIn':
      return !has || value === undefined || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}
