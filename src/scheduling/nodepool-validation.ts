/**
 * What Karpenter v1.15.0's NodePool CRD refuses beyond the field types (its enum and its
 * x-kubernetes-validations, pkg/apis/crds/karpenter.sh_nodepools.yaml), in the API server's words, so
 * that `berth check` and `berth plan` refuse at file:line what `kubectl apply` would refuse, and never
 * read an unknown operator as a requirement no node meets. Pure.
 */
import { atoi, INTEGER_OPERATORS, OPERATORS } from './requirements.js';

export interface CrdIssue {
  /** JSON pointer into the object. */
  readonly pointer: string;
  readonly message: string;
}

export interface RequirementIn {
  key?: unknown;
  operator?: unknown;
  values?: unknown;
  minValues?: unknown;
}

interface NodePoolIn {
  spec?: {
    replicas?: unknown;
    weight?: unknown;
    limits?: Record<string, unknown>;
    disruption?: { consolidationPolicy?: unknown; consolidateAfter?: unknown; budgets?: unknown };
    template?: { spec?: { requirements?: RequirementIn[] } };
  };
}

/** The CRD's enum for spec.disruption.consolidationPolicy (Balanced since v1.14). */
export const CONSOLIDATION_POLICIES = ['WhenEmpty', 'WhenEmptyOrUnderutilized', 'Balanced'] as const;

const SUPPORTED = OPERATORS.map((o) => `"${o}"`).join(', ');

/** The first refusal of one requirement, if any (the CRD's CEL rules, in its order). */
export function requirementIssue(r: RequirementIn, at: string): CrdIssue | undefined {
  const op = r.operator;
  if (typeof op !== 'string' || !(OPERATORS as readonly string[]).includes(op))
    return {
      pointer: `${at}/operator`,
      message: `Unsupported value: ${JSON.stringify(op)}: supported values: ${SUPPORTED}`,
    };
  const values = Array.isArray(r.values) ? (r.values as unknown[]) : [];
  if (op === 'In' && values.length === 0)
    return { pointer: at, message: "requirements with operator 'In' must have a value defined" };
  if (INTEGER_OPERATORS.has(op)) {
    const n = values.length === 1 ? atoi(String(values[0])) : Number.NaN;
    if (!(n >= 0))
      return {
        pointer: values.length === 1 ? `${at}/values/0` : `${at}/values`,
        message: `requirements operator 'Gt', 'Lt', 'Gte', or 'Lte' must have a single positive integer value (got ${JSON.stringify(values)})`,
      };
  }
  if (op === 'In' && typeof r.minValues === 'number' && values.length < r.minValues)
    return {
      pointer: `${at}/minValues`,
      message:
        "requirements with 'minValues' must have at least that many values specified in the 'values' field",
    };
  return undefined;
}

/** The CRD's enum for a budget's reasons (Unhealthy, node repair, since v1.15). */
export const BUDGET_REASONS = ['Underutilized', 'Empty', 'Drifted', 'Unhealthy'] as const;

/** A budget's `nodes`: a count or a percentage up to 100%. */
export const BUDGET_NODES = /^((100|[0-9]{1,2})%|[0-9]+)$/;
const DURATION = /^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$/;
const SCHEDULE = /^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)\s(.+)\s(.+)\s(.+)\s(.+))$/;
const CONSOLIDATE_AFTER = /^(([0-9]+(s|m|h))+|Never)$/;

const mismatch = (pointer: string, value: unknown, pattern: RegExp): CrdIssue => ({
  pointer,
  message: `Invalid value: ${JSON.stringify(value)}: spec.${pointer
    .slice(6)
    .replaceAll('/', '.')
    .replace(/\.(\d+)\./g, '[$1].')} in body should match '${pattern.source}'`,
});

/** One budget: its fields' patterns and enum, in the schema's order. */
function budgetIssue(b: Record<string, unknown>, at: string): CrdIssue | undefined {
  if (typeof b.duration === 'string' && !DURATION.test(b.duration))
    return mismatch(`${at}/duration`, b.duration, DURATION);
  if (typeof b.nodes === 'string' && !BUDGET_NODES.test(b.nodes))
    return mismatch(`${at}/nodes`, b.nodes, BUDGET_NODES);
  const reasons = Array.isArray(b.reasons) ? (b.reasons as unknown[]) : [];
  for (const [j, r] of reasons.entries())
    if (!(BUDGET_REASONS as readonly unknown[]).includes(r))
      return {
        pointer: `${at}/reasons/${j}`,
        message: `Unsupported value: ${JSON.stringify(r)}: supported values: ${BUDGET_REASONS.map((x) => `"${x}"`).join(', ')}`,
      };
  if (typeof b.schedule === 'string' && !SCHEDULE.test(b.schedule))
    return mismatch(`${at}/schedule`, b.schedule, SCHEDULE);
  return undefined;
}

/** spec.disruption: each budget, the budgets' schedule-with-duration rule, consolidateAfter's pattern. */
function disruptionIssue(spec: NodePoolIn['spec']): CrdIssue | undefined {
  const d = spec?.disruption;
  const budgets = Array.isArray(d?.budgets) ? (d.budgets as unknown[]) : [];
  for (const [i, b] of budgets.entries()) {
    const found =
      typeof b === 'object' && b !== null
        ? budgetIssue(b as Record<string, unknown>, `/spec/disruption/budgets/${i}`)
        : undefined;
    if (found) return found;
  }
  const typed = budgets.filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null);
  if (typed.some((b) => (b.schedule === undefined) !== (b.duration === undefined)))
    return { pointer: '/spec/disruption/budgets', message: "'schedule' must be set with 'duration'" };
  const after = d?.consolidateAfter;
  if (typeof after === 'string' && !CONSOLIDATE_AFTER.test(after))
    return mismatch('/spec/disruption/consolidateAfter', after, CONSOLIDATE_AFTER);
  return undefined;
}

function policyIssue(spec: NodePoolIn['spec']): CrdIssue | undefined {
  const policy = spec?.disruption?.consolidationPolicy;
  if (policy === undefined || (CONSOLIDATION_POLICIES as readonly unknown[]).includes(policy))
    return undefined;
  return {
    pointer: '/spec/disruption/consolidationPolicy',
    message: `Unsupported value: ${JSON.stringify(policy)}: supported values: ${CONSOLIDATION_POLICIES.map((p) => `"${p}"`).join(', ')}`,
  };
}

/** The first thing the NodePool CRD refuses in this object, or undefined when the API server takes it. */
export function nodePoolIssue(object: unknown): CrdIssue | undefined {
  const spec = (object as NodePoolIn).spec;
  const reqs = spec?.template?.spec?.requirements ?? [];
  for (let i = 0; i < reqs.length; i++) {
    const found = requirementIssue(reqs[i] ?? {}, `/spec/template/spec/requirements/${i}`);
    if (found) return found;
  }
  const policy = policyIssue(spec) ?? disruptionIssue(spec);
  if (policy) return policy;
  if (spec?.replicas !== undefined) {
    const limits = Object.keys(spec.limits ?? {});
    if (limits.some((k) => k !== 'nodes'))
      return { pointer: '/spec/limits', message: "only 'limits.nodes' is supported on static NodePools" };
    if (spec.weight !== undefined)
      return { pointer: '/spec/weight', message: "'weight' is not supported on static NodePools" };
  }
  return undefined;
}
