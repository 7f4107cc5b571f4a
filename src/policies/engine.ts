/**
 * The policy engine: (object, cluster view, policies) → verdict. Pure: the webhook, the CLI and the
 * tests all call it. Denials are verdicts, never exceptions; a rule that throws is reported as that
 * rule's error and does not take the others down.
 */
import { EvaluationBudgetError } from '../scheduling/placement.js';
import { formatRef, refOf, type KubeObject, type ObjectRef } from '../kube/objects.js';
import { isWorkloadKind } from '../kube/workload.js';
import { workloadFacts } from './context.js';
import type { Mode, RuleId } from './rules/ids.js';
import type { Finding, RuleInput, SubjectBase, Target } from './rules/rule.js';
import type { Params, Policies, RuleScope } from './policies.js';
import { planRules, rulesFor, type PlannedRule } from './plan.js';
import type { WorkloadProfile } from './schema/profile-schema.js';
import { validateProfileObject } from './schema/validate.js';
import type { ClusterView, HPA } from './view.js';
import { apiRefusal } from './rules/object-invalid.js';

export interface Violation {
  rule: RuleId;
  mode: Exclude<Mode, 'off'>;
  message: string;
}

export interface Verdict {
  kind: string;
  namespace: string;
  name: string;
  allowed: boolean;
  violations: Violation[];
  /** What kubectl prints as `Warning:` (each under 120 characters). */
  warnings: string[];
  exempted: { rule: RuleId; reason: string }[];
  errors: { rule: RuleId; message: string }[];
  /** Why nothing was evaluated, when nothing was (exempt namespace, kind without rules). */
  skipped?: string;
  /**
   * The rules evaluated and the mode each ran in, in catalogue order (a report's `pass` results are
   * those without a finding).
   */
  rules?: readonly RuleRan[];
}

/** A rule an evaluation ran, and its mode (shared between verdicts of one plan: never mutate). */
export interface RuleRan {
  readonly id: RuleId;
  readonly mode: Exclude<Mode, 'off'>;
}

export interface EvaluateOptions {
  oldObject?: KubeObject | undefined;
  /** Today as YYYY-MM-DD, for exemption expiry (the clock is the caller's). */
  today: string;
  defaultNamespace?: string;
}

export const WARNING_MAX = 119;

export function formatMessage(rule: RuleId, ref: ObjectRef, f: Finding): string {
  return `[${rule}] ${formatRef(ref)}: ${f.what}; fix: ${f.fix}`;
}

/** Text cut to at most n characters in its middle, at word boundaries: "head … tail". */
function middleCut(text: string, n: number): string {
  if (text.length <= n) return text;
  const keep = n - 2; // " …" or "… "
  const headRoom = Math.ceil(keep * 0.6);
  let head = text.slice(0, headRoom);
  const space = head.lastIndexOf(' ');
  if (space > headRoom / 2) head = head.slice(0, space);
  let tail = text.slice(text.length - (keep - head.length));
  const next = tail.indexOf(' ');
  if (next >= 0 && next < tail.length / 2) tail = tail.slice(next + 1);
  return `${head} … ${tail}`.length <= n ? `${head} … ${tail}` : `${head}…${tail}`;
}

/**
 * What kubectl prints as `Warning:` (under 120 characters): the finding's middle is shortened, never
 * its fix; a fix that alone nearly fills the line is kept with as much of the finding as fits.
 */
export function shortWarning(rule: RuleId, f: Finding): string {
  const head = `[${rule}] `;
  const tail = `; fix: ${f.fix}`;
  const full = `${head}${f.what}${tail}`;
  if (full.length <= WARNING_MAX) return full;
  const room = WARNING_MAX - head.length - tail.length;
  if (room >= 24) return `${head}${middleCut(f.what, room)}${tail}`;
  return middleCut(`${head}fix: ${f.fix}`, WARNING_MAX);
}

/** Whether Berth has rules for a kind: objects of other kinds are allowed untouched, unread. */
export function hasRules(kind: string | undefined): boolean {
  return targetOf({ kind }) !== undefined;
}

function targetOf(obj: { kind?: string | undefined }): Target | undefined {
  if (isWorkloadKind(obj.kind)) return 'workload';
  if (obj.kind === 'PodDisruptionBudget') return 'pdb';
  if (obj.kind === 'HorizontalPodAutoscaler') return 'hpa';
  if (obj.kind === 'WorkloadProfile') return 'profile';
  return undefined;
}

/**
 * The rules' input, its params set per rule. Built field by field: in V8 (Node 20) an object literal
 * that spreads another and then adds keys costs ~0.5 µs per added key, a third of an evaluation.
 */
function inputFor(obj: KubeObject, target: Target, base: SubjectBase): RuleInput | undefined {
  const { ref, view, policies, oldObject } = base;
  const params: Params = {};
  switch (target) {
    case 'workload': {
      const w = workloadFacts(obj, ref, view, policies);
      return w ? { ref, view, policies, oldObject, params, target, w } : undefined;
    }
    case 'pdb':
      return { ref, view, policies, oldObject, params, target, pdb: obj };
    case 'hpa':
      return { ref, view, policies, oldObject, params, target, hpa: obj as unknown as HPA };
    case 'profile': {
      const profile = obj as unknown as WorkloadProfile;
      return { ref, view, policies, oldObject, params, target, profile, raw: obj };
    }
  }
}

function skip(verdict: Verdict, why: string): Verdict {
  verdict.skipped = why;
  return verdict;
}

function classOf(input: RuleInput): string | undefined {
  if (input.target === 'workload') return input.w.className;
  if (input.target === 'profile') return input.profile.spec.runtimeClass;
  return undefined;
}

/** One evaluation's state, shared by its rules. */
interface Run {
  input: RuleInput;
  verdict: Verdict;
  today: string;
}

/** Runs one rule and files its findings into the verdict (exempted, violation, warning, error). */
function apply({ rule, mode, params }: PlannedRule, run: Run): void {
  const { input, verdict, today } = run;
  const policies = input.policies;
  let findings: readonly Finding[];
  try {
    // One input per evaluation; only the params differ between rules.
    input.params = params;
    findings = rule.check(input);
  } catch (e) {
    // Past the evaluation's budget: no rule's verdict can be trusted, so the whole review is undecided.
    if (e instanceof EvaluationBudgetError) throw e;
    const message = `[${rule.id}] rule error: ${(e as Error).message}`;
    verdict.errors.push({ rule: rule.id, message });
    verdict.warnings.push(message.slice(0, WARNING_MAX));
    return;
  }
  const ref = input.ref;
  for (const f of findings) {
    const exemption = policies.exemption(rule.id, ref.kind, ref.namespace, ref.name, today);
    if (exemption) {
      verdict.exempted.push({ rule: rule.id, reason: exemption.reason });
      continue;
    }
    verdict.violations.push({ rule: rule.id, mode, message: formatMessage(rule.id, ref, f) });
    if (mode === 'warn') verdict.warnings.push(shortWarning(rule.id, f));
    if (mode === 'enforce') verdict.allowed = false;
  }
}

export function evaluate(
  obj: KubeObject,
  view: ClusterView,
  policies: Policies,
  opts: EvaluateOptions,
): Verdict {
  const ref = refOf(obj, opts.defaultNamespace);
  const verdict: Verdict = {
    kind: ref.kind,
    namespace: ref.namespace,
    name: ref.name,
    allowed: true,
    violations: [],
    warnings: [],
    exempted: [],
    errors: [],
  };
  const target = targetOf(obj);
  if (!target) return skip(verdict, `no rules for kind ${ref.kind}`);
  if (policies.exemptNamespaces.has(ref.namespace))
    return skip(verdict, `namespace ${ref.namespace} is exempt`);
  const input = inputFor(obj, target, { ref, view, policies, oldObject: opts.oldObject });
  if (!input) return skip(verdict, `${ref.kind} has no pod template`);
  // A malformed profile is reported by profile-schema alone: the other rules would read garbage.
  const schemaBroken = target === 'profile' && validateProfileObject(obj).length > 0;
  const scope: RuleScope = {
    namespace: ref.namespace,
    namespaceLabels: view.namespaceLabels(ref.namespace),
    runtimeClass: schemaBroken ? undefined : classOf(input),
  };
  const run: Run = { input, verdict, today: opts.today };
  let plan = planOf(
    schemaBroken ? planRules(policies, target, scope, true) : rulesFor(policies, target, scope),
  );
  // An object the API server refuses is said to be refused, and nothing else is judged of it.
  if (plan.refusalOnly !== undefined && apiRefusal(obj)) plan = plan.refusalOnly;
  for (const planned of plan.rules) apply(planned, run);
  verdict.rules = plan.ran;
  return verdict;
}

/** A plan with what every evaluation of it derives the same way (built once per plan, then shared). */
interface Derived {
  rules: readonly PlannedRule[];
  ran: readonly RuleRan[];
  /** The plan cut to object-invalid alone, when it holds that rule. */
  refusalOnly: Derived | undefined;
}

const derivedPlans = new WeakMap<readonly PlannedRule[], Derived>();

function derive(rules: readonly PlannedRule[], withRefusal: boolean): Derived {
  const invalid = withRefusal ? rules.filter((p) => p.rule.id === 'object-invalid') : [];
  return {
    rules,
    ran: Object.freeze(rules.map((p) => Object.freeze({ id: p.rule.id, mode: p.mode }))),
    refusalOnly: invalid.length > 0 ? derive(invalid, false) : undefined,
  };
}

function planOf(rules: readonly PlannedRule[]): Derived {
  let d = derivedPlans.get(rules);
  if (d === undefined) derivedPlans.set(rules, (d = derive(rules, true)));
  return d;
}

/** The denial text kubectl shows: every enforced violation, one per line, in catalogue order. */
export function denialMessage(v: Verdict): string {
  return v.violations
    .filter((x) => x.mode === 'enforce')
    .map((x) => x.message)
    .join('\n');
}

export function todayOf(clock: () => Date): string {
  return clock().toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;

/** todayOf for every review: the date is formatted once per UTC day, not once per call. */
export function dailyToday(clock: () => Date): () => string {
  let day = Number.NaN;
  let text = '';
  return () => {
    const ms = clock().getTime();
    const d = Math.floor(ms / DAY_MS);
    if (d !== day) {
      day = d;
      text = todayOf(() => new Date(d * DAY_MS));
    }
    return text;
  };
}
