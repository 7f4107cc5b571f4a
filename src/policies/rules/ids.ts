/** The rule catalogue's stable ids (DESIGN.md §6). */
export const RULE_IDS = [
  'object-invalid',
  'pdb-blocks-eviction',
  'pdb-overlap',
  'pdb-hpa-min',
  'pdb-missing',
  'single-replica',
  'naked-pod',
  'local-storage',
  'do-not-disrupt',
  'grace-period',
  'requests-missing',
  'limit-request-ratio',
  'replicas-below-profile',
  'replicas-above-profile',
  'hpa-above-profile',
  'burst-above-profile',
  'zone-spread-missing',
  'spread-unsatisfiable',
  'placement-unsatisfiable',
  'requests-exceed-capacity',
  'spot-unsuitable',
  'instance-type-pinned',
  'required-labels',
  'profile-missing',
  'profile-schema',
  'profile-runtime-class-unknown',
  'profile-spot-forbidden',
  'profile-undrainable',
  'profile-zone-spread-impossible',
  'profile-requests-exceed-capacity',
  'profile-limits-exceeded',
  'nodepool-never-launches',
  'nodeclass-imds-open',
  'nodepool-instance-types-narrow',
  'nodepool-limits-missing',
  'nodepool-consolidation-churn',
  'nodepool-budget-unbounded',
  'nodeclass-ami-unpinned',
  'nodepool-gpu-untainted',
  'nodepool-weight-tie',
  'nodepool-expiry-never',
  'nodepool-zones-implicit',
  'nodepool-capacity-type-implicit',
  'nodeclass-cost-tags-missing',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

/** A ValidatingAdmissionPolicy's findings carry the policy as their rule: `ValidatingAdmissionPolicy/<name>`. */
export type NativeRuleId = `ValidatingAdmissionPolicy/${string}`;

/** The rule a finding names: one of Berth's, or a native policy. */
export type FindingRule = RuleId | NativeRuleId;

export const MODES = ['enforce', 'warn', 'audit', 'off'] as const;
export type Mode = (typeof MODES)[number];
