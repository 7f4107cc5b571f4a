/**
 * Whether a policy's matchConstraints, or a binding's matchResources, select a request, as
 * kube-apiserver's policy matcher decides it (k8s.io/apiserver pkg/admission/plugin/policy/matching,
 * webhook/predicates/rules): namespaceSelector, objectSelector, excludeResourceRules, then
 * resourceRules (operations, apiGroups, apiVersions, resources with subresources, scope,
 * resourceNames). matchPolicy Equivalent matches other versions of a resource only where the cluster
 * serves the same resource at several versions; offline the request's own version is matched. Pure.
 */
import { selectorMatches, type LabelSelector, type Labels } from '../../kube/selector.js';
import type { AdmissionAttributes, MatchResources, NamedRuleWithOperations } from './types.js';

/** Loops, not some(): every policy matches every review. */
function anyOf(items: readonly string[] | undefined, value: string): boolean {
  if (items) for (const i of items) if (i === '*' || i === value) return true;
  return false;
}

function scopeMatches(rule: NamedRuleWithOperations, a: AdmissionAttributes): boolean {
  const scope = rule.scope ?? '*';
  if (scope === '*') return true;
  const isNamespaceObject = a.resource === 'namespaces' && a.group === '';
  if (scope === 'Namespaced') return !isNamespaceObject && a.namespace !== '';
  if (scope === 'Cluster') return isNamespaceObject || a.namespace === '';
  return false;
}

function resourceMatches(rule: NamedRuleWithOperations, a: AdmissionAttributes): boolean {
  for (const r of rule.resources ?? []) {
    const at = r.indexOf('/');
    const res = at < 0 ? r : r.slice(0, at);
    const sub = at < 0 ? '' : r.slice(at + 1);
    if ((res === '*' || res === a.resource) && (sub === '*' || sub === a.subResource)) return true;
  }
  return false;
}

/** rules.Matcher.Matches and the rule's resourceNames. */
export function ruleMatches(rule: NamedRuleWithOperations, a: AdmissionAttributes): boolean {
  if (!scopeMatches(rule, a) || !anyOf(rule.operations, a.operation)) return false;
  if (!anyOf(rule.apiGroups, a.group) || !anyOf(rule.apiVersions, a.version)) return false;
  if (!resourceMatches(rule, a)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

const labelsOf = (o: { metadata?: { labels?: Labels | undefined } } | null): Labels | undefined =>
  o ? (o.metadata?.labels ?? {}) : undefined;

const emptySelector = (s: LabelSelector | undefined): boolean =>
  s === undefined ||
  (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);

/**
 * MatchNamespaceSelector: cluster-scoped objects other than namespaces always match; a namespace
 * object is judged by its own labels; others by their namespace's (undefined when the namespace is
 * unknown: it then matches only an empty selector).
 */
function namespaceMatches(m: MatchResources, a: AdmissionAttributes, nsLabels: Labels | undefined): boolean {
  const isNamespaceObject = a.resource === 'namespaces' && a.group === '';
  if (a.namespace === '' && !isNamespaceObject) return true;
  if (emptySelector(m.namespaceSelector)) return true;
  const labels = isNamespaceObject ? (labelsOf(a.object) ?? labelsOf(a.oldObject)) : nsLabels;
  return labels !== undefined && selectorMatches(m.namespaceSelector, labels);
}

/** MatchObjectSelector: the object's labels or, on UPDATE and DELETE, the old object's. */
function objectMatches(m: MatchResources, a: AdmissionAttributes): boolean {
  if (emptySelector(m.objectSelector)) return true;
  const now = labelsOf(a.object);
  const before = labelsOf(a.oldObject);
  return (
    (now !== undefined && selectorMatches(m.objectSelector, now)) ||
    (before !== undefined && selectorMatches(m.objectSelector, before))
  );
}

/**
 * Matcher.Matches. A binding's matchResources without resourceRules constrains nothing by resource;
 * a policy's matchConstraints always has them (the API requires it).
 */
export function matches(
  m: MatchResources | undefined,
  a: AdmissionAttributes,
  nsLabels: Labels | undefined,
): boolean {
  if (m === undefined) return true;
  if (!namespaceMatches(m, a, nsLabels) || !objectMatches(m, a)) return false;
  if ((m.excludeResourceRules ?? []).some((r) => ruleMatches(r, a))) return false;
  const rules = m.resourceRules ?? [];
  return rules.length === 0 || rules.some((r) => ruleMatches(r, a));
}
