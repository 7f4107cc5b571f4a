/**
 * The profile controller's status half, pure: a WorkloadProfile's conditions (Ready, Drainable,
 * Placeable, with the engine's findings as reasons and messages), its bound workloads and the
 * compiled summary that `kubectl get wp` and `-o yaml` show.
 */
import type { KubeObject } from '../../kube/objects.js';
import { describeBudget, disruptionsAllowed } from '../../policies/disruption.js';
import type { Verdict } from '../../policies/engine.js';
import type { RuleId } from '../../policies/rules/ids.js';
import type { Policies } from '../../policies/policies.js';
import type { WorkloadProfile, WorkloadProfileStatus } from '../../policies/schema/profile-schema.js';
import type { PoolView } from '../../scheduling/nodepool.js';

type Condition = NonNullable<WorkloadProfileStatus['conditions']>[number];

const DRAIN_RULES: readonly RuleId[] = ['profile-undrainable'];
const PLACE_RULES: readonly RuleId[] = [
  'profile-runtime-class-unknown',
  'profile-spot-forbidden',
  'profile-zone-spread-impossible',
  'profile-requests-exceed-capacity',
  'profile-limits-exceeded',
];

const REASONS: Partial<Record<RuleId, string>> = {
  'profile-schema': 'InvalidSpec',
  'profile-undrainable': 'Undrainable',
  'profile-runtime-class-unknown': 'RuntimeClassUnknown',
  'profile-spot-forbidden': 'SpotForbidden',
  'profile-zone-spread-impossible': 'ZoneSpreadImpossible',
  'profile-requests-exceed-capacity': 'RequestsExceedCapacity',
  'profile-limits-exceeded': 'NodePoolLimitsExceeded',
};

function condition(
  type: string,
  verdict: Verdict,
  rules: readonly RuleId[] | undefined,
  okReason: string,
  okMessage: string,
): Condition {
  const found = verdict.violations.filter((v) =>
    rules ? rules.includes(v.rule as RuleId) : v.mode === 'enforce',
  );
  const errors = verdict.errors.filter((e) => !rules || rules.includes(e.rule));
  if (found.length === 0 && errors.length === 0)
    return { type, status: 'True', reason: okReason, message: okMessage };
  const first = found[0];
  return {
    type,
    status: 'False',
    reason: first ? (REASONS[first.rule as RuleId] ?? 'PolicyViolation') : 'RuleError',
    message: [...found.map((v) => v.message), ...errors.map((e) => e.message)].join('\n'),
  };
}

function summary(
  profile: WorkloadProfile,
  policies: Policies,
  pools: readonly PoolView[],
): WorkloadProfileStatus['compiled'] {
  const cls = policies.runtimeClasses.get(profile.spec.runtimeClass);
  const names = new Set(pools.map((p) => p.name));
  const out: NonNullable<WorkloadProfileStatus['compiled']> = {
    nodePools: (cls?.nodePools ?? []).filter((n) => names.has(n)),
  };
  const d = profile.spec.disruption;
  if (d?.minAvailable !== undefined || d?.maxUnavailable !== undefined) {
    out.pdb = describeBudget(d);
    const min = profile.spec.availability?.minReplicas;
    if (min !== undefined) out.disruptionsAllowedAtMinReplicas = disruptionsAllowed(d, min).allowed;
  }
  return out;
}

export interface StatusInput {
  profile: WorkloadProfile;
  verdict: Verdict;
  bound: readonly KubeObject[];
  policies: Policies;
  pools: readonly PoolView[];
  now: Date;
}

/** Keeps lastTransitionTime when a condition's status did not change. */
function stamp(
  next: Condition,
  prev: readonly Condition[] | undefined,
  now: Date,
  generation: number | undefined,
): Condition {
  const old = prev?.find((c) => c.type === next.type);
  const lastTransitionTime =
    old?.status === next.status && old.lastTransitionTime
      ? old.lastTransitionTime
      : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    ...next,
    lastTransitionTime,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
}

export function profileStatus(input: StatusInput): WorkloadProfileStatus {
  const { profile, verdict } = input;
  const gen = profile.metadata.generation;
  const drainable = condition(
    'Drainable',
    verdict,
    DRAIN_RULES,
    'Drainable',
    'nodes running its pods can be drained',
  );
  const placeable = condition(
    'Placeable',
    verdict,
    PLACE_RULES,
    'Placeable',
    'its NodePools can hold its pods',
  );
  const ready = condition('Ready', verdict, undefined, 'Compiled', 'bound workloads are compiled against it');
  const prev = profile.status?.conditions;
  const status: WorkloadProfileStatus = {
    conditions: [ready, drainable, placeable].map((c) => stamp(c, prev, input.now, gen)),
    boundWorkloads: input.bound.map((w) => `${w.kind ?? ''}/${w.metadata?.name ?? ''}`).sort(),
    boundCount: input.bound.length,
  };
  const compiled = summary(profile, input.policies, input.pools);
  if (compiled) status.compiled = compiled;
  if (gen !== undefined) status.observedGeneration = gen;
  return status;
}
