/**
 * The params each rule reads, as JSON Schema: their types and ranges, and no other keys. A typo
 * (`maxSecs`) or a string where a number belongs is an error with its line in policies.yaml, never a
 * silent fall back to the default. A rule that reads no params accepts none.
 */
import type { RuleId } from './ids.js';

const int = (minimum: number, description: string) => ({ type: 'integer', minimum, description }) as const;
const bool = (description: string) => ({ type: 'boolean', description }) as const;
const unclassifiedDisruptable = bool(
  'workloads without a profile count as running on nodes that may be consolidated (default true)',
);

export const RULE_PARAMS: Readonly<Partial<Record<RuleId, Readonly<Record<string, object>>>>> = {
  'do-not-disrupt': {
    maxGraceMinutes: int(
      0,
      'a karpenter.sh/do-not-disrupt duration ("30m") up to this many minutes is accepted on a long-running workload (default 60)',
    ),
  },
  'grace-period': { maxSeconds: int(0, 'the longest terminationGracePeriodSeconds allowed (default 300)') },
  'limit-request-ratio': {
    maxRatio: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'memory limit ÷ request at most (default 2)',
    },
  },
  'profile-missing': { required: bool('a workload must name a WorkloadProfile (default false)') },
  'pdb-missing': { unclassifiedDisruptable },
  'single-replica': { unclassifiedDisruptable },
  'spot-unsuitable': { minReplicas: int(1, 'fewer replicas than this are unsuitable for spot (default 2)') },
  'profile-zone-spread-impossible': { minZones: int(1, 'zones a required spread needs (default 2)') },
  'nodepool-instance-types-narrow': {
    minTypes: int(1, 'instance types a NodePool must admit at least (default 5)'),
    minSpotTypes: int(1, 'instance types a NodePool that may buy spot must admit at least (default 15)'),
  },
  'nodepool-consolidation-churn': {
    minConsolidateAfterSeconds: int(
      0,
      'consolidateAfter at least, for WhenEmptyOrUnderutilized (default 30)',
    ),
  },
  'nodepool-budget-unbounded': {
    maxPercent: int(1, 'an always-on budget of this share of nodes or more is reported (default 50)'),
  },
  'nodeclass-imds-open': { maxHopLimit: int(1, 'the highest httpPutResponseHopLimit allowed (default 1)') },
  'nodeclass-cost-tags-missing': {
    tags: {
      type: 'array',
      items: { type: 'string' },
      description: 'the tag keys every node class must set (default: none named, any tag will do)',
    },
  },
};

/** The JSON Schema of one rule's params. */
export function paramsSchema(rule: RuleId): object {
  return { type: 'object', additionalProperties: false, properties: RULE_PARAMS[rule] ?? {} };
}
