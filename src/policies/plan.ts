/**
 * Which rules run on an object, each with its mode and params: a pure function of the policies, the
 * object's target and its scope (namespace, namespace labels, runtime class). Every review of a
 * scope after the first reuses the plan, instead of resolving all thirty rules again.
 */
import type { Labels } from '../kube/selector.js';
import { mapFor } from '../util/memo.js';
import type { Mode } from './rules/ids.js';
import { RULES } from './rules/catalogue.js';
import type { Rule, Target } from './rules/rule.js';
import type { Params, Policies, Resolved, RuleScope } from './policies.js';

export interface PlannedRule {
  readonly rule: Rule;
  readonly mode: Exclude<Mode, 'off'>;
  readonly params: Params;
}

const defaultsOf = (rule: Rule): Resolved => ({ mode: rule.defaultMode, params: rule.defaultParams ?? {} });
/** Each rule's own defaults, built once. */
const DEFAULTS: ReadonlyMap<Rule, Resolved> = new Map(RULES.map((r) => [r, defaultsOf(r)]));

/** The rules that run, in catalogue order; a malformed profile gets profile-schema alone. */
export function planRules(
  policies: Policies,
  target: Target,
  scope: RuleScope,
  schemaBroken = false,
): PlannedRule[] {
  const plan: PlannedRule[] = [];
  for (const rule of RULES) {
    if (!rule.targets.includes(target) || (schemaBroken && rule.id !== 'profile-schema')) continue;
    const { mode, params } = policies.resolve(rule.id, DEFAULTS.get(rule) ?? defaultsOf(rule), scope);
    if (mode !== 'off') plan.push({ rule, mode, params });
  }
  return plan;
}

interface Entry {
  /** A copy of the namespace labels the plan was made for. */
  readonly labels: Labels;
  readonly plan: readonly PlannedRule[];
}

/** Scopes remembered per policies object before the table starts afresh. */
const MAX_SCOPES = 4096;
const plans = new WeakMap<Policies, Map<string, Entry>>();

/** Equal label sets (loops, no allocation: it runs on every review). */
export function sameLabels(a: Labels, b: Labels): boolean {
  for (const key in a) if (a[key] !== b[key]) return false;
  for (const key in b) if (!Object.hasOwn(a, key)) return false;
  return true;
}

/**
 * planRules, memoized per (policies, target, namespace, runtime class) and checked against the
 * namespace's labels, which can change under the same name.
 */
export function rulesFor(policies: Policies, target: Target, scope: RuleScope): readonly PlannedRule[] {
  const table = mapFor(plans, policies);
  const rc = scope.runtimeClass;
  const key = `${target}\n${scope.namespace}\n${rc === undefined ? '' : `=${rc}`}`;
  const hit = table.get(key);
  if (hit !== undefined && sameLabels(hit.labels, scope.namespaceLabels)) return hit.plan;
  if (table.size >= MAX_SCOPES) table.clear();
  const plan = planRules(policies, target, scope);
  table.set(key, { labels: { ...scope.namespaceLabels }, plan });
  return plan;
}
