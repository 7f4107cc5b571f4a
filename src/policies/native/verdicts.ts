/**
 * Native policies in Berth's verdicts: each object judged as kube-apiserver would judge its CREATE by
 * the ValidatingAdmissionPolicies among the inputs (or in the cluster), its findings filed under rule
 * `ValidatingAdmissionPolicy/<name>` — a Deny as an enforced violation in the API server's words, a
 * Warn as a warning, an Audit as an audit finding — and each policy whose expressions do not compile
 * reported on the policy itself. Pure: the clock and the uid source are passed in.
 */
import type { KubeObject } from '../../kube/objects.js';
import type { Verdict } from '../engine.js';
import type { NativeRuleId } from '../rules/ids.js';
import { denialText, judgeNative, warningText } from './dispatch.js';
import type { NativePolicySet } from './policy-set.js';
import { resourceOf } from './resources.js';
import { celObjectWithDefaults } from './server-defaults.js';
import type { AdmissionAttributes, NativeDecision } from './types.js';

export interface NativeOptions {
  defaultNamespace: string;
  now: Date;
  uid: () => string;
  userInfo?: AdmissionAttributes['userInfo'];
}

const MODE = { Deny: 'enforce', Warn: 'warn', Audit: 'audit' } as const;
const ruleOf = (policy: string): NativeRuleId => `ValidatingAdmissionPolicy/${policy}`;

/** The CREATE request for an object, with the API server's defaults applied. */
export function createAttributes(
  obj: KubeObject,
  set: NativePolicySet,
  opts: NativeOptions,
): AdmissionAttributes {
  const r = resourceOf(obj, set.crds);
  const namespace = r.namespaced ? (obj.metadata?.namespace ?? opts.defaultNamespace) : '';
  const celObject = (): unknown => {
    const cel = celObjectWithDefaults(obj, opts.now, opts.uid());
    const meta = cel.metadata as Record<string, unknown> | undefined;
    if (r.namespaced && meta) meta.namespace = namespace;
    return cel;
  };
  return {
    operation: 'CREATE',
    group: r.group,
    version: r.version,
    kind: obj.kind ?? '',
    resource: r.resource,
    subResource: '',
    namespace,
    name: obj.metadata?.name ?? '',
    namespaced: r.namespaced,
    object: obj,
    oldObject: null,
    celObject,
    userInfo: opts.userInfo ?? {},
    dryRun: true,
  };
}

/**
 * Whether kube-apiserver drops a warning: one with a control character (a newline from a multi-line
 * expression in "failed expression: …") is never sent, as one it already sent is not sent again
 * (k8s.io/apiserver pkg/endpoints/filters/warning.go, apimachinery NewWarningHeader).
 */
function dropped(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}

/** Said of a Warn finding kube-apiserver does not send: Berth still reports it. */
export const UNSENT_WARNING =
  ' (kubectl shows no Warning for this: kube-apiserver drops a warning that holds a control character)';

function file(v: Verdict, d: NativeDecision): void {
  let message = d.action === 'Warn' ? warningText(d) : denialText(d);
  if (d.action === 'Warn' && !v.warnings.includes(message)) {
    if (dropped(message)) message += UNSENT_WARNING;
    else v.warnings.push(message);
  }
  v.violations.push({ rule: ruleOf(d.policy), mode: MODE[d.action], message });
  if (d.action === 'Deny') v.allowed = false;
}

/** The verdict with the native policies' findings added (and `skipped` cleared when one judged). */
export function withNativeFindings(
  v: Verdict,
  obj: KubeObject,
  set: NativePolicySet,
  opts: NativeOptions,
): Verdict {
  if (set.size === 0) return v;
  const result = judgeNative(createAttributes(obj, set, opts), set);
  if (result.judgedBy.length === 0) return v;
  const out: Verdict = { ...v, violations: [...v.violations], warnings: [...v.warnings] };
  delete out.skipped;
  for (const d of result.decisions) file(out, d);
  out.rules = [
    ...(v.rules ?? []),
    ...result.judgedBy.map((p) => ({ id: ruleOf(p), mode: 'enforce' as const })),
  ];
  return out;
}

/** A policy that would not be created: its compile errors, as violations of the policy object. */
export function policyProblems(v: Verdict, obj: KubeObject, set: NativePolicySet): Verdict {
  if (obj.kind !== 'ValidatingAdmissionPolicy') return v;
  const problems = set.refused.get(obj.metadata?.name ?? '') ?? [];
  if (problems.length === 0) return v;
  const name = obj.metadata?.name ?? '';
  const message = `ValidatingAdmissionPolicy.admissionregistration.k8s.io "${name}" is invalid: ${problems.join(', ')}`;
  const out: Verdict = {
    ...v,
    allowed: false,
    violations: [...v.violations, { rule: ruleOf(name), mode: 'enforce', message }],
  };
  delete out.skipped;
  return out;
}
