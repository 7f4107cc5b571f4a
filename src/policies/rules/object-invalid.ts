/**
 * Objects the API server refuses at create, whatever Berth would say of them: an apps/v1 workload
 * (Deployment, ReplicaSet, StatefulSet, DaemonSet) with no `spec.selector`, an empty one, or one that
 * does not select its own pod template (k8s.io/kubernetes pkg/apis/apps/validation). `berth check`
 * reports that, in the API server's words, instead of judging their drain safety.
 */
import type { KubeObject } from '../../kube/objects.js';
import { selectorMatches, type LabelSelector } from '../../kube/selector.js';
import { NONE, type Finding, type Rule } from './rule.js';

const SELECTED = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

function isEmpty(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

const goMap = (labels: Readonly<Record<string, string>>): string =>
  `map[string]string{${Object.keys(labels)
    .sort()
    .map((k) => `"${k}":"${labels[k] ?? ''}"`)
    .join(', ')}}`;

type Selected = {
  spec?: { selector?: LabelSelector; template?: { metadata?: { labels?: Record<string, string> } } };
};

/** Why the API server refuses a selector for these template labels, in its words. */
function refusal(kind: string, selector: LabelSelector | undefined, labels: Record<string, string>): Finding {
  const fix = `set spec.selector.matchLabels to labels of the pod template (${goMap(labels)})`;
  if (!selector) return { what: 'spec.selector: Required value (the API server refuses the object)', fix };
  if (isEmpty(selector))
    return {
      what: `spec.selector: Invalid value: empty selector is invalid for ${kind.toLowerCase()} (the API server refuses the object)`,
      fix,
    };
  return {
    what: `spec.template.metadata.labels: Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\` (the API server refuses the object)`,
    fix: 'make spec.selector select the pod template: its labels must carry every label the selector asks for',
  };
}

/** What the API server would answer on create, if it refuses the object. */
export function apiRefusal(obj: KubeObject): Finding | undefined {
  const api = obj.apiVersion;
  const kind = obj.kind ?? '';
  if (!SELECTED.has(kind) || typeof api !== 'string' || !api.startsWith('apps/')) return undefined;
  const spec = (obj as Selected).spec;
  const labels = spec?.template?.metadata?.labels ?? {};
  const selector = spec?.selector;
  if (selector && !isEmpty(selector) && selectorMatches(selector, labels)) return undefined;
  // Refused: the words are built only now, never on the path every valid review takes.
  return refusal(kind, selector, labels);
}

export const objectInvalid: Rule = {
  id: 'object-invalid',
  defaultMode: 'enforce',
  description:
    'The API server refuses the object (an apps/v1 workload whose selector is missing, empty or does not select its template); no other rule is judged.',
  targets: ['workload'],
  check(input) {
    if (input.target !== 'workload') return NONE;
    const found = apiRefusal(input.w.obj);
    return found ? [found] : [];
  },
};
