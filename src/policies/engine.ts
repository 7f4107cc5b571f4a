/**
 * The policy engine: (object, cluster view, policies) → verdict. Pure: the webhook, the CLI and the
 * tests all call it. Denials are verdicts, never exceptions; a rule that throws is reported as that
 * rule's error and does not take the others down.
 */
import { EvaluationBudgetError } from '../scheduling/placement.js';
import { formatRef, refOf, type KubeObject, type ObjectRef } from '../kube/objects.js';
import { isWorkloadKind } from '../kube/workload.js';
import { workloadFacts } from './context.js';
import type { FindingRule, Mode, RuleId } from './rules/ids.js';
import type { Finding, RuleInput, SubjectBase, Target } from './rules/rule.js';
import type { Params, Policies, RuleScope } from './policies.js';
import { planRules, rulesFor, type PlannedRule } from './plan.js';
import type { WorkloadProfile } from './schema/profile-schema.js';
import { validateProfileObject } from './schema/validate.js';
import type { ClusterView, HPA } from './view.js';
import { apiRefusal } from './rules/object-invalid.js';
import { poolView, type EC2NodeClass, type NodePool } from '../scheduling/nodepool.js';
import { reviewTargetOf } from './rules/review-facts.js';

const CLUSTER_SCOPED = new Set<Target | undefined>(['nodepool', 'nodeclass']);

export interface Violation {
  rule: FindingRule;
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
  readonly id: FindingRule;
  readonly mode: Exclude<Mode, 'off'>;
}

export interface EvaluateOptions {
  oldObject?: KubeObject | undefined;
  /** Today as YYYY-MM-DD, for exemption expiry (the clock is the caller's). */
  today: string;
  /** Rules left to the API server (generated ValidatingAdmissionPolicies): not run here. */
  skipRules?: ReadonlySet<RuleId> | undefined;
  defaultNamespace?: string;
}

export const WARNING_MAX = 119;

export function formatMessage(rule: RuleId, ref: ObjectRef, f: Finding): string {
  return `[${rule}] ${formatRef(ref)}: ${f.what}; fix: ${f.fix}`;
}

/** The text without its parenthetical asides ("PodDisruptionBudget web (minAvailable 3) allows …"). */
function withoutAsides(text: string): string {
  return text.replace(/ \([^()]*\)/g, '').trim();
}

/** The longest run of whole clauses (ending at `;`, `:` or `,`) of `text` within n characters. */
function wholeClauses(text: string, n: number): string | undefined {
  let best: string | undefined;
  for (const m of text.matchAll(/[;:,]/g)) {
    const cut = text.slice(0, m.index).trimEnd();
    if (cut.length <= n) best = cut;
  }
  return best;
}

/**
 * What kubectl prints as `Warning:` (under 120 characters): the finding as it is when it fits, else
 * reworded — the rule's brief, the text without its asides, whole clauses of it — and its fix likewise;
 * never a text with its middle cut out.
 */
export function shortWarning(rule: RuleId, f: Finding): string {
  const head = `[${rule}] `;
  const line = (what: string, fix: string) => `${head}${what}; fix: ${fix}`;
  const whats = [...new Set([f.what, f.brief, withoutAsides(f.what), f.brief && withoutAsides(f.brief)])];
  const fixes = [
    ...new Set([f.fix, f.briefFix, withoutAsides(f.fix), f.briefFix && withoutAsides(f.briefFix)]),
  ];
  for (const what of whats)
    for (const fix of fixes) if (what && fix && line(what, fix).length <= WARNING_MAX) return line(what, fix);
  // Nothing fits with its fix: the finding alone (berth check and the Events carry the fix), in whole clauses.
  const what = whats.filter((x): x is string => !!x).sort((a, b) => a.length - b.length)[0] ?? f.what;
  if (head.length + what.length <= WARNING_MAX) return `${head}${what}`;
  return `${head}${wholeClauses(what, WARNING_MAX - head.length) ?? what.slice(0, WARNING_MAX - head.length)}`;
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
  return reviewTargetOf(obj);
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
    case 'nodepool': {
      // The API server has checked the shape against the CRD; a file or a junk review may not have.
      const raw = obj as { spec?: { template?: { spec?: unknown } } };
      if (typeof raw.spec?.template?.spec !== 'object') return undefined;
      const pool = obj as unknown as NodePool;
      return { ref, view, policies, oldObject, params, target, pool, poolView: poolView(pool), raw: obj };
    }
    case 'nodeclass': {
      const nodeClass = obj as unknown as EC2NodeClass;
      return { ref, view, policies, oldObject, params, target, nodeClass, raw: obj };
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

/** Runs the plan's rules, but those left to the API server. */
function runRules(rules: readonly PlannedRule[], run: Run, skip: ReadonlySet<RuleId> | undefined): void {
  if (skip === undefined || skip.size === 0) for (const planned of rules) apply(planned, run);
  else for (const planned of rules) if (!skip.has(planned.rule.id)) apply(planned, run);
}

export function evaluate(
  obj: KubeObject,
  view: ClusterView,
  policies: Policies,
  opts: EvaluateOptions,
): Verdict {
  const target = targetOf(obj);
  // NodePools and node classes are cluster-scoped: no namespace, whatever the files' default.
  const ref = refOf(obj, CLUSTER_SCOPED.has(target) ? '' : opts.defaultNamespace);
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
  if (!target) return skip(verdict, `no rules for kind ${ref.kind}`);
  if (policies.exemptNamespaces.has(ref.namespace))
    return skip(verdict, `namespace ${ref.namespace} is exempt`);
  const input = inputFor(obj, target, { ref, view, policies, oldObject: opts.oldObject });
  if (!input)
    return skip(
      verdict,
      target === 'nodepool' ? 'NodePool has no spec.template.spec' : `${ref.kind} has no pod template`,
    );
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
  runRules(plan.rules, run, opts.skipRules);
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
