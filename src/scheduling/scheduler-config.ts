/**
 * The cluster's default topology spread constraints (`--scheduler-config`), read as Karpenter v1.15
 * reads its `--scheduler-config` (pkg/operator/options SchedulerConfiguration: `podTopologySpread:
 * defaultConstraints`), or from the kube-scheduler's own KubeSchedulerConfiguration (the
 * default-scheduler profile's PodTopologySpread args, `defaultingType: List`). Validated as
 * kube-scheduler's ValidatePodTopologySpreadArgs validates them, in Karpenter's words. Pure.
 */
import type { V1TopologySpreadConstraint } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { qualifiedNameProblem } from '../kube/names.js';

export type DefaultConstraint = Pick<
  V1TopologySpreadConstraint,
  'maxSkew' | 'topologyKey' | 'whenUnsatisfiable'
> &
  Partial<Pick<V1TopologySpreadConstraint, 'minDomains' | 'nodeAffinityPolicy' | 'nodeTaintsPolicy'>>;

export type SchedulerConfigRead =
  | { readonly ok: true; readonly constraints: readonly DefaultConstraint[]; readonly note?: string }
  | { readonly ok: false; readonly error: string };

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Karpenter's validateDefaultConstraint: the fragment after `podTopologySpread.defaultConstraints[i]`. */
function constraintProblem(c: Raw): string | undefined {
  const skew = c.maxSkew;
  if (typeof skew !== 'number' || !Number.isInteger(skew) || skew <= 0)
    return '.maxSkew must be greater than 0';
  if (typeof c.topologyKey !== 'string' || c.topologyKey === '') return '.topologyKey must be set';
  const bad = qualifiedNameProblem(c.topologyKey);
  if (bad !== undefined) return `.topologyKey "${c.topologyKey}" is not a valid label name, ${bad}`;
  if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway')
    return `.whenUnsatisfiable "${typeof c.whenUnsatisfiable === 'string' ? c.whenUnsatisfiable : ''}" must be one of "DoNotSchedule" or "ScheduleAnyway"`;
  if (c.labelSelector !== undefined && c.labelSelector !== null)
    return '.labelSelector must not be set, as selectors are deduced for each pod';
  if (Array.isArray(c.matchLabelKeys) && c.matchLabelKeys.length > 0)
    return '.matchLabelKeys must not be set, as it has no effect on default constraints';
  return undefined;
}

/** SchedulerConfiguration.Validate: each constraint, then no two with one key and one whenUnsatisfiable. */
export function validateDefaultConstraints(raw: readonly unknown[]): SchedulerConfigRead {
  const out: DefaultConstraint[] = [];
  for (const [i, c] of raw.entries()) {
    if (!isObject(c))
      return {
        ok: false,
        error: `validating scheduler config, podTopologySpread.defaultConstraints[${i}] must be an object`,
      };
    const problem = constraintProblem(c);
    if (problem !== undefined)
      return {
        ok: false,
        error: `validating scheduler config, podTopologySpread.defaultConstraints[${i}]${problem}`,
      };
    const d = c as unknown as DefaultConstraint;
    const j = out.findIndex(
      (x) => x.topologyKey === d.topologyKey && x.whenUnsatisfiable === d.whenUnsatisfiable,
    );
    if (j >= 0)
      return {
        ok: false,
        error: `validating scheduler config, podTopologySpread.defaultConstraints[${i}] is a duplicate of [${j}], {${d.topologyKey}, ${d.whenUnsatisfiable}}`,
      };
    out.push(d);
  }
  return { ok: true, constraints: out };
}

/** The PodTopologySpread args of a KubeSchedulerConfiguration's default-scheduler profile. */
function kubeSchedulerArgs(doc: Raw): Raw | undefined {
  const profiles = Array.isArray(doc.profiles) ? doc.profiles.filter(isObject) : [];
  const profile =
    profiles.find((p) => (p.schedulerName ?? 'default-scheduler') === 'default-scheduler') ?? undefined;
  const configs = Array.isArray(profile?.pluginConfig) ? profile.pluginConfig.filter(isObject) : [];
  const args = configs.find((c) => c.name === 'PodTopologySpread')?.args;
  return isObject(args) ? args : undefined;
}

const KNOWN = new Set(['podTopologySpread']);

function fromKubeScheduler(doc: Raw): SchedulerConfigRead {
  const args = kubeSchedulerArgs(doc);
  // System (kube-scheduler's default): its ScheduleAnyway spread is scoring only, and Karpenter
  // leaves it out as well.
  if ((args?.defaultingType ?? 'System') !== 'List')
    return { ok: true, constraints: [], note: 'defaultingType System: only scoring, nothing to plan for' };
  return validateDefaultConstraints(Array.isArray(args?.defaultConstraints) ? args.defaultConstraints : []);
}

/** A `--scheduler-config` document (YAML or JSON). */
export function readSchedulerConfig(text: string): SchedulerConfigRead {
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (e) {
    return { ok: false, error: `decoding scheduler config, ${(e as Error).message}` };
  }
  if (!isObject(doc)) return { ok: false, error: 'decoding scheduler config, not a mapping' };
  if (doc.kind === 'KubeSchedulerConfiguration') return fromKubeScheduler(doc);
  const unknown = Object.keys(doc).find((k) => !KNOWN.has(k));
  if (unknown !== undefined)
    return {
      ok: false,
      error: `decoding scheduler config, error unmarshaling JSON: json: unknown field "${unknown}"`,
    };
  const spread = doc.podTopologySpread;
  if (spread === undefined || spread === null) return { ok: true, constraints: [] };
  if (!isObject(spread))
    return { ok: false, error: 'decoding scheduler config, podTopologySpread must be a mapping' };
  const list = spread.defaultConstraints ?? [];
  if (!Array.isArray(list))
    return {
      ok: false,
      error: 'decoding scheduler config, podTopologySpread.defaultConstraints must be a list',
    };
  return validateDefaultConstraints(list);
}
