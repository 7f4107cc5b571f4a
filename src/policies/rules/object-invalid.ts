/**
 * Objects the API server refuses at create, whatever Berth would say of them: an apps/v1 workload
 * (Deployment, ReplicaSet, StatefulSet, DaemonSet) with no `spec.selector`, an empty one, or one that
 * does not select its own pod template (k8s.io/kubernetes pkg/apis/apps/validation). `berth check`
 * reports that, in the API server's words, instead of judging their drain safety.
 */
import type { KubeObject } from '../../kube/objects.js';
import { selectorMatches, type LabelSelector } from '../../kube/selector.js';
import type { Finding, Rule } from './rule.js';

const SELECTED = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

function isEmpty(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

const goMap = (labels: Readonly<Record<string, string>>): string =>
  `map[string]string{${Object.keys(labels)
    .sort()
    .map((k) => `"${k}":"${labels[k] ?? ''}"`)
    .join(', ')}}`;

/** What the API server would answer on create, if it refuses the object. */
export function apiRefusal(obj: KubeObject): Finding | undefined {
  const api = obj.apiVersion;
  if (!SELECTED.has(obj.kind ?? '') || typeof api !== 'string' || !api.startsWith('apps/')) return undefined;
  const spec = (
    obj as {
      spec?: { selector?: LabelSelector; template?: { metadata?: { labels?: Record<string, string> } } };
    }
  ).spec;
  const labels = spec?.template?.metadata?.labels ?? {};
  const kind = (obj.kind ?? '').toLowerCase();
  const fix = `set spec.selector.matchLabels to labels of the pod template (${goMap(labels)})`;
  const selector = spec?.selector;
  if (!selector) return { what: 'spec.selector: Required value (the API server refuses the object)', fix };
  if (isEmpty(selector))
    return {
      what: `spec.selector: Invalid value: empty selector is invalid for ${kind} (the API server refuses the object)`,
      fix,
    };
  if (!selectorMatches(selector, labels))
    return {
      what: `spec.template.metadata.labels: Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\` (the API server refuses the object)`,
      fix: 'make spec.selector select the pod template: its labels must carry every label the selector asks for',
    };
  return undefined;
}

export const objectInvalid: Rule = {
  id: 'object-invalid',
  defaultMode: 'enforce',
  description:
    'The API server refuses the object (an apps/v1 workload whose selector is missing, empty or does not select its template); no other rule is judged.',
  targets: ['workload'],
  check(input) {
    if (input.target !== 'workload') return [];
    const found = apiRefusal(input.w.obj);
    return found ? [found] : [];
  },
};
