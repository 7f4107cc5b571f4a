/**
 * Objects the API server refuses at create, whatever Berth would say of them: a name, namespace, label
 * or annotation key the API server refuses (ValidateObjectMeta: an unrendered Helm template such as
 * `{{ .Release.Name }}-web` among them), and an apps/v1 workload (Deployment, ReplicaSet, StatefulSet,
 * DaemonSet) with no `spec.selector`, an empty one, or one that does not select its own pod template
 * (k8s.io/kubernetes pkg/apis/apps/validation), and container resources that are no quantity, negative,
 * or a request above its limit (resource-quantities.ts). `berth check` reports that, in the API server's words,
 * instead of judging their drain safety.
 */
import type { KubeObject } from '../../kube/objects.js';
import { metadataProblem } from '../../kube/names.js';
import { selectorMatches, type LabelSelector } from '../../kube/selector.js';
import { resourceRefusal } from './resource-quantities.js';
import { countErrors } from './spec-counts.js';
import { podFieldErrors } from './pod-spec-fields.js';
import { scheduleErrors } from './cron-schedule.js';
import { joined } from '../../kube/field-errors.js';
import type { Finding, Rule, RuleInput } from './rule.js';

function subjectOf(input: RuleInput): KubeObject {
  switch (input.target) {
    case 'workload':
      return input.w.obj;
    case 'pdb':
      return input.pdb as unknown as KubeObject;
    case 'hpa':
      return input.hpa as unknown as KubeObject;
    case 'profile':
    case 'nodepool':
    case 'nodeclass':
      return input.raw;
  }
}

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

type Templated = {
  spec?: {
    template?: { metadata?: object };
    jobTemplate?: { spec?: { template?: { metadata?: object } } };
  };
};

/** The pod template's metadata and its path, for the kinds that have one. */
function templateMeta(obj: KubeObject): { path: string; meta: object | undefined } | undefined {
  const spec = (obj as Templated).spec;
  if (obj.kind === 'CronJob')
    return {
      path: 'spec.jobTemplate.spec.template.metadata',
      meta: spec?.jobTemplate?.spec?.template?.metadata,
    };
  return spec?.template ? { path: 'spec.template.metadata', meta: spec.template.metadata } : undefined;
}

/** The API server's field errors on the object's resources, counts, pod spec and schedule, if any. */
function specRefusal(obj: KubeObject): Finding | undefined {
  const resources = resourceRefusal(obj);
  if (resources !== undefined) return resources;
  const counts = countErrors(obj);
  const fields = [
    ...podFieldErrors(obj),
    ...(obj.kind === 'CronJob'
      ? scheduleErrors((obj.spec as { schedule?: unknown } | undefined)?.schedule)
      : []),
  ];
  if (counts.length + fields.length === 0) return undefined;
  return {
    what: `${joined([...counts, ...fields])} (the API server refuses the object)`,
    fix:
      fields.length === 0
        ? 'replicas are at least 0; a PDB sets minAvailable or maxUnavailable, an integer ≥ 0 or a percentage up to 100%; an HPA has 1 ≤ minReplicas ≤ maxReplicas'
        : 'change the fields named as the API server asks (kubectl create --dry-run=server -f … says the same)',
  };
}

/** What the API server would answer on create, if it refuses the object. */
export function apiRefusal(obj: KubeObject): Finding | undefined {
  const meta = metadataProblem(obj.metadata, templateMeta(obj));
  if (meta !== undefined)
    return {
      what: `${meta} (the API server refuses the object)`,
      fix: 'give it a valid value; a Helm or Go template ({{ … }}) must be rendered first (helm template …)',
    };
  const refused = specRefusal(obj);
  if (refused !== undefined) return refused;
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
    'The API server refuses the object (a name, namespace, label or annotation key it does not accept; container resources that are no quantity, negative or a request above its limit; container names, images, ports and env names, a restartPolicy its controller does not allow, nodeSelector, tolerations or topology spread constraints it refuses; negative replicas, PDB budgets and HPA bounds out of range; a CronJob schedule that does not parse; or an apps/v1 workload whose selector is missing, empty or does not select its template); no other rule is judged.',
  targets: ['workload', 'pdb', 'hpa', 'profile', 'nodepool', 'nodeclass'],
  check(input) {
    const found = apiRefusal(subjectOf(input));
    return found ? [found] : [];
  },
};
