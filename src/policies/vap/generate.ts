/**
 * `berth policies vap`: Berth's rules that need only the object, its namespace and params, as
 * ValidatingAdmissionPolicies the API server enforces itself — with every Berth replica down. Per rule:
 * one policy (`berth-<rule>`), and per mode it runs in one binding with a ConfigMap of params
 * (`berth-<rule>-<mode>`): enforce → Deny (plus a Warn binding for the webhook's ratchet), warn →
 * Warn, audit → Audit. The policy judges what the webhook would be sent, skips what policies.yaml
 * exempts, and says what the engine says, word for word. Pure: policies and today in, objects out.
 */
import type { KubeObject } from '../../kube/objects.js';
import type { Policies } from '../policies.js';
import { RULES } from '../rules/catalogue.js';
import type { Mode, RuleId } from '../rules/ids.js';
import type { GeneratedRule } from './generated-rule.js';
import { findingValidation, findingVariables, lit, type NamedExpression, type Root } from './message-cel.js';
import { NOT_CONTROLLED, SPEC_CHANGED, UNSENT_NAMESPACES } from './resources.js';
import { REVIEW_RULES } from './review-rules.js';
import { WORKLOAD_RULES } from './workload-rules.js';
import { DISRUPTION_RULES } from './disruption-rules.js';
import { WEBHOOK_ONLY } from './webhook-only.js';

export const GENERATED_RULES: readonly GeneratedRule[] = [
  ...WORKLOAD_RULES,
  ...DISRUPTION_RULES,
  ...REVIEW_RULES,
];
const generatedIds = new Set<RuleId>(GENERATED_RULES.map((r) => r.id));

/** The label every generated object carries, with the rule it is for. */
export const RULE_LABEL = 'berth.dev/rule';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'berth' } as const;

export interface NativeRules {
  /** Policies, bindings and params ConfigMaps, in apply order (params first). */
  readonly objects: readonly KubeObject[];
  /** The rules the API server judges. */
  readonly judged: readonly RuleId[];
  /** The rules only the webhook judges, and why. */
  readonly onWebhook: readonly { readonly rule: RuleId; readonly why: string }[];
}

const ACTIONS: Record<Exclude<Mode, 'off'>, string[]> = {
  enforce: ['Deny'],
  warn: ['Warn'],
  audit: ['Audit'],
};

function variables(rule: GeneratedRule): NamedExpression[] {
  const roots: Root[] = ['object', 'oldObject'];
  const out: NamedExpression[] = [];
  for (const root of roots) {
    for (const s of rule.shared) out.push({ name: `${root}${s.name}`, expression: s.expression(root) });
    rule.findings.forEach((f, i) => out.push(...findingVariables(rule.id, i, f, root, rule.namespaced)));
  }
  return out;
}

/** The exemptions of policies.yaml in force today for this rule, as conditions that leave them out. */
function exemptionConditions(rule: GeneratedRule, policies: Policies, today: string): NamedExpression[] {
  const granted = (policies.doc.exemptions?.objects ?? []).filter(
    (e) => (e.rule === rule.id || e.rule === '*') && (e.expires === undefined || e.expires >= today),
  );
  return granted.map((e, i) => {
    const name = e.name === '*' ? 'true' : `object.metadata.name == ${lit(e.name)}`;
    const ns = rule.namespaced ? `request.namespace == ${lit(e.namespace)}` : 'true';
    return { name: `exempt-${i}`, expression: `!(object.kind == ${lit(e.kind)} && ${ns} && ${name})` };
  });
}

function policy(rule: GeneratedRule, policies: Policies, today: string): KubeObject {
  const workload = rule.namespaced;
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: `berth-${rule.id}`, labels: { ...MANAGED_BY, [RULE_LABEL]: rule.id } },
    spec: {
      failurePolicy: 'Ignore',
      paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
      matchConstraints: { resourceRules: rule.resources.map((r) => ({ ...r })) },
      matchConditions: [
        ...(workload
          ? [
              { name: 'not-controlled', expression: NOT_CONTROLLED },
              { name: 'spec-changed', expression: SPEC_CHANGED },
            ]
          : []),
        ...exemptionConditions(rule, policies, today),
      ],
      variables: variables(rule),
      validations: rule.findings.map((_, i) => findingValidation(i)),
    },
  };
}

/** The namespaces a namespaced rule never judges: policies.yaml's, those no webhook is sent, Berth's. */
function namespaceSelector(policies: Policies, namespace: string): object {
  const out = [...new Set([...UNSENT_NAMESPACES, ...policies.exemptNamespaces, namespace])].sort();
  return {
    matchExpressions: [
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: out },
      { key: 'berth.dev/ignore', operator: 'DoesNotExist' },
    ],
  };
}

function bound(
  rule: GeneratedRule,
  mode: string,
  actions: string[],
  data: Record<string, string>,
  ctx: Ctx,
): KubeObject[] {
  const name = `berth-${rule.id}-${mode}`;
  const labels = { ...MANAGED_BY, [RULE_LABEL]: rule.id };
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ctx.namespace, labels },
      data: { mode, ...data },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels },
      spec: {
        policyName: `berth-${rule.id}`,
        paramRef: { name, namespace: ctx.namespace, parameterNotFoundAction: 'Deny' },
        validationActions: actions,
        ...(rule.namespaced
          ? { matchResources: { namespaceSelector: namespaceSelector(ctx.policies, ctx.namespace) } }
          : {}),
      },
    },
  ];
}

interface Ctx {
  policies: Policies;
  namespace: string;
  today: string;
}

/** Why a rule is left to the webhook, or undefined when it is generated. */
function leftOut(id: RuleId, policies: Policies): string | undefined {
  if (!generatedIds.has(id)) return WEBHOOK_ONLY[id] ?? 'no policy is generated for it';
  if ((policies.doc.rules?.[id]?.overrides ?? []).length > 0)
    return 'its overrides in policies.yaml choose by runtime class or namespace';
  return undefined;
}

/** The rules the API server judges under these policies (generated, not off), in catalogue order. */
function plan(policies: Policies): { judged: GeneratedRule[]; onWebhook: { rule: RuleId; why: string }[] } {
  const judged: GeneratedRule[] = [];
  const onWebhook: { rule: RuleId; why: string }[] = [];
  for (const r of RULES) {
    const why = leftOut(r.id, policies);
    if (why !== undefined) onWebhook.push({ rule: r.id, why });
    else if ((policies.doc.rules?.[r.id]?.mode ?? r.defaultMode) !== 'off') {
      const rule = GENERATED_RULES.find((g) => g.id === r.id);
      if (rule) judged.push(rule);
    }
  }
  return { judged, onWebhook };
}

const delegated = new WeakMap<Policies, ReadonlySet<RuleId>>();

/**
 * The rules the webhook leaves to the API server: those generated as policies, when policies.yaml
 * sets nativePolicies.rules (berth serve keeps them applied); none otherwise. Once per policies.
 */
export function delegatedRules(policies: Policies): ReadonlySet<RuleId> {
  let set = delegated.get(policies);
  if (set === undefined) {
    set = new Set(policies.nativeRules ? plan(policies).judged.map((r) => r.id) : []);
    delegated.set(policies, set);
  }
  return set;
}

export function generateNativeRules(policies: Policies, namespace: string, today: string): NativeRules {
  const ctx: Ctx = { policies, namespace, today };
  const objects: KubeObject[] = [];
  const { judged, onWebhook } = plan(policies);
  for (const rule of judged) {
    const r = RULES.find((x) => x.id === rule.id);
    const cfg = policies.doc.rules?.[rule.id];
    const mode = cfg?.mode ?? r?.defaultMode ?? 'off';
    if (mode === 'off') continue;
    const data = rule.params({ ...(r?.defaultParams ?? {}), ...(cfg?.params ?? {}) }, policies);
    objects.push(...bound(rule, mode, ACTIONS[mode], data, ctx));
    if (mode === 'enforce') objects.push(...bound(rule, 'ratchet', ['Warn'], data, ctx));
    objects.push(policy(rule, policies, today));
  }
  // Params first, then policies, then bindings: a binding never names what is not there yet.
  const order = (o: KubeObject) =>
    o.kind === 'ConfigMap' ? 0 : o.kind === 'ValidatingAdmissionPolicy' ? 1 : 2;
  return {
    objects: [...objects].sort((a, b) => order(a) - order(b)),
    judged: judged.map((r) => r.id),
    onWebhook,
  };
}

/** Every name a generated object can have: policies `berth-<rule>`, bindings and params `berth-<rule>-<mode>`. */
export function generatedNames(): { policies: string[]; bound: string[] } {
  const modes = ['enforce', 'warn', 'audit', 'ratchet'];
  return {
    policies: GENERATED_RULES.map((r) => `berth-${r.id}`),
    bound: GENERATED_RULES.flatMap((r) => modes.map((m) => `berth-${r.id}-${m}`)),
  };
}
