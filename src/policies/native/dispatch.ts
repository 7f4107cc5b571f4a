/**
 * Every ValidatingAdmissionPolicy judged against one request, as kube-apiserver's dispatcher does
 * (k8s.io/apiserver pkg/admission/plugin/policy/validating/dispatcher.go): policies and bindings
 * matched, params collected (name, selector, namespace, parameterNotFoundAction), each policy
 * validated per params object, and each denial filed by the binding's validationActions — Deny,
 * Warn (a warning in the API server's words) or Audit. Configuration errors follow failurePolicy.
 * Pure.
 */
import type { KubeObject } from '../../kube/objects.js';
import { selectorMatches } from '../../kube/selector.js';
import { offlineAuthorizer } from '../../cel/authz.js';
import { toCel } from '../../cel/values.js';
import { matches } from './match.js';
import type { NativePolicySet, BoundPolicy } from './policy-set.js';
import { admissionRequest } from './request.js';
import type { AdmissionAttributes, NativeDecision, NativeResult, VapBinding } from './types.js';
import { conditionsMatch, validate, type Outcome } from './validator.js';

/** The text kubectl shows for a denial (after `… is forbidden: `). */
export function denialText(d: NativeDecision): string {
  return d.binding === undefined
    ? `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`;
}

/** The warning kubectl prints for a Warn action. */
export function warningText(d: NativeDecision): string {
  return `Validation failed for ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding ?? ''}': ${d.message}`;
}

/** CollectParams: the params objects a binding gives, or a configuration error. */
function collectParams(
  bp: BoundPolicy,
  b: VapBinding,
  a: AdmissionAttributes,
  set: NativePolicySet,
): (KubeObject | null)[] | string {
  const kind = bp.compiled.policy.spec.paramKind;
  const ref = b.spec.paramRef;
  if (!kind || !ref) return [null];
  const namespaced = set.paramNamespaced(kind);
  if (ref.namespace && !namespaced)
    return 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`';
  let ns: string | undefined;
  if (namespaced) {
    ns = ref.namespace || a.namespace;
    if (ns === '')
      return 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources';
  }
  const candidates = set.paramObjects(kind, ns);
  let params: KubeObject[];
  if (ref.name) {
    if (ref.selector) return 'paramRef.name and paramRef.selector are mutually exclusive';
    params = candidates.filter((o) => o.metadata?.name === ref.name).slice(0, 1);
  } else if (ref.selector)
    params = candidates.filter((o) => selectorMatches(ref.selector, o.metadata?.labels ?? {}));
  else return 'one of name or selector must be provided';
  if (params.length === 0 && ref.parameterNotFoundAction === 'Deny')
    return 'no params found for policy binding with `Deny` parameterNotFoundAction';
  return params;
}

interface Collector {
  result: NativeResult;
  denials: NativeDecision[];
}

function configError(bp: BoundPolicy, binding: string | undefined, error: string, out: Collector): void {
  if ((bp.compiled.policy.spec.failurePolicy ?? 'Fail') === 'Ignore') return;
  const message =
    binding === undefined ? `failed to configure policy: ${error}` : `failed to configure binding: ${error}`;
  out.denials.push({
    policy: bp.compiled.policy.metadata.name,
    binding,
    action: 'Deny',
    message,
    reason: 'Invalid',
    error: true,
  });
}

function file(bp: BoundPolicy, b: VapBinding, o: Outcome, out: Collector): void {
  if (o.kind !== 'deny') return;
  const base = {
    policy: bp.compiled.policy.metadata.name,
    binding: b.metadata.name,
    message: o.message,
    reason: o.reason,
    error: o.error,
  };
  for (const action of b.spec.validationActions ?? []) {
    const d: NativeDecision = { ...base, action };
    if (action === 'Deny') out.denials.push(d);
    out.result.decisions.push(d);
  }
}

/** One policy's evaluation of a request: what every binding of it shares. */
interface Judging {
  bp: BoundPolicy;
  a: AdmissionAttributes;
  set: NativePolicySet;
  base: Record<string, unknown>;
  out: Collector;
}

function judgeParams(j: Judging, b: VapBinding, p: KubeObject | null): void {
  const { bp, out } = j;
  // One activation per request, its params set per params object (evaluation is synchronous).
  const activation = j.base;
  activation.params = p === null ? null : j.set.celOf(p);
  // matchConditions run without the namespace object, as the API server's matcher runs them.
  const namespaceObject = activation.namespaceObject;
  activation.namespaceObject = null;
  const cond = conditionsMatch(bp.compiled, activation);
  activation.namespaceObject = namespaceObject;
  if (cond === false) return;
  if (cond !== true) {
    if ((bp.compiled.policy.spec.failurePolicy ?? 'Fail') === 'Fail')
      file(bp, b, { kind: 'deny', message: cond, reason: 'Invalid', error: true }, out);
    return;
  }
  const r = validate(bp.compiled, activation);
  for (const o of r.outcomes) file(bp, b, o, out);
  const policy = bp.compiled.policy.metadata.name;
  for (const o of r.annotationDenials) {
    if (o.kind !== 'deny') continue;
    const d: NativeDecision = {
      policy,
      binding: b.metadata.name,
      action: 'Deny',
      message: o.message,
      reason: o.reason,
      error: true,
    };
    out.denials.push(d);
    out.result.decisions.push(d);
  }
  for (const an of r.annotations) out.result.auditAnnotations[`${policy}/${an.key}`] ??= an.value;
}

function judgeBinding(j: Judging, b: VapBinding): void {
  const { bp, a, set, out } = j;
  if (!matches(b.spec.matchResources, a, a.namespace ? set.namespaceLabels(a.namespace) : undefined)) return;
  const name = bp.compiled.policy.metadata.name;
  if (!out.result.judgedBy.includes(name)) out.result.judgedBy.push(name);
  const params = collectParams(bp, b, a, set);
  if (typeof params === 'string') {
    configError(bp, b.metadata.name, params, out);
    return;
  }
  for (const p of params) judgeParams(j, b, p);
}

/**
 * Dispatch: the decisions of every policy that matches. `decisions` holds every Deny, Warn and Audit
 * in order; the request is denied when any is a Deny, with the first one's message.
 */
export function judgeNative(
  a: AdmissionAttributes,
  set: NativePolicySet,
): NativeResult & { denied: NativeDecision | undefined } {
  const out: Collector = { result: { decisions: [], judgedBy: [], auditAnnotations: {} }, denials: [] };
  let base: Record<string, unknown> | undefined;
  for (const bp of set.bound) {
    if (bp.bindings.length === 0) continue;
    if (
      !matches(
        bp.compiled.policy.spec.matchConstraints,
        a,
        a.namespace ? set.namespaceLabels(a.namespace) : undefined,
      )
    )
      continue;
    base ??= {
      object: a.celObject ? a.celObject() : a.object === null ? null : toCel(a.object),
      oldObject: a.oldObject === null ? null : toCel(a.oldObject),
      request: toCel(admissionRequest(a)),
      namespaceObject:
        a.namespace && !(a.resource === 'namespaces' && a.group === '')
          ? set.celOf(set.namespace(a.namespace))
          : null,
      authorizer: offlineAuthorizer,
      params: null,
      variables: {},
    };
    const j: Judging = { bp, a, set, base, out };
    for (const b of bp.bindings) judgeBinding(j, b);
  }
  for (const d of out.denials) if (!out.result.decisions.includes(d)) out.result.decisions.push(d);
  return { ...out.result, denied: out.denials[0] };
}
