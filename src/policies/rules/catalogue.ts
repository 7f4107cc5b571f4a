/** Every rule, in the stable order findings are reported (the order of RULE_IDS). */
import { RULE_IDS, type FindingRule, type RuleId } from './ids.js';
import type { Rule } from './rule.js';
import { pdbBlocksEviction, pdbHpaMin, pdbOverlap } from './drain-pdb.js';
import { objectInvalid } from './object-invalid.js';
import {
  doNotDisrupt,
  gracePeriod,
  localStorage,
  nakedPod,
  pdbMissing,
  singleReplica,
} from './drain-workload.js';
import {
  burstAboveProfile,
  hpaAboveProfile,
  limitRequestRatio,
  profileMissing,
  replicasAboveProfile,
  replicasBelowProfile,
  requestsMissing,
  requiredLabels,
} from './contract.js';
import {
  instanceTypePinned,
  placementUnsatisfiable,
  requestsExceedCapacity,
  spotUnsuitable,
  spreadUnsatisfiable,
  zoneSpreadMissing,
} from './placement.js';
import {
  profileLimitsExceeded,
  profileRequestsExceedCapacity,
  profileRuntimeClassUnknown,
  profileSchemaRule,
  profileSpotForbidden,
  profileUndrainable,
  profileZoneSpreadImpossible,
} from './profile.js';
import {
  nodepoolBudgetUnbounded,
  nodepoolCapacityTypeImplicit,
  nodepoolConsolidationChurn,
  nodepoolExpiryNever,
  nodepoolGpuUntainted,
  nodepoolInstanceTypesNarrow,
  nodepoolLimitsMissing,
  nodepoolNeverLaunches,
  nodepoolWeightTie,
  nodepoolZonesImplicit,
} from './nodepool-review.js';
import { nodeclassAmiUnpinned, nodeclassCostTagsMissing, nodeclassImdsOpen } from './nodeclass-review.js';

/** The catalogue's sections (DESIGN.md §6), which reports use as their categories. */
const SECTIONS: readonly { readonly category: string; readonly rules: readonly Rule[] }[] = [
  { category: 'API validation', rules: [objectInvalid] },
  {
    category: 'Drain safety',
    rules: [
      pdbBlocksEviction,
      pdbOverlap,
      pdbHpaMin,
      pdbMissing,
      singleReplica,
      nakedPod,
      localStorage,
      doNotDisrupt,
      gracePeriod,
    ],
  },
  {
    category: 'Workload contract',
    rules: [
      requestsMissing,
      limitRequestRatio,
      replicasBelowProfile,
      replicasAboveProfile,
      hpaAboveProfile,
      burstAboveProfile,
      requiredLabels,
      profileMissing,
    ],
  },
  {
    category: 'Placement',
    rules: [
      zoneSpreadMissing,
      spreadUnsatisfiable,
      placementUnsatisfiable,
      requestsExceedCapacity,
      spotUnsuitable,
      instanceTypePinned,
    ],
  },
  {
    category: 'WorkloadProfile',
    rules: [
      profileSchemaRule,
      profileRuntimeClassUnknown,
      profileSpotForbidden,
      profileUndrainable,
      profileZoneSpreadImpossible,
      profileRequestsExceedCapacity,
      profileLimitsExceeded,
    ],
  },
  {
    category: 'NodePool review',
    rules: [
      nodepoolNeverLaunches,
      nodeclassImdsOpen,
      nodepoolInstanceTypesNarrow,
      nodepoolLimitsMissing,
      nodepoolConsolidationChurn,
      nodepoolBudgetUnbounded,
      nodeclassAmiUnpinned,
      nodepoolGpuUntainted,
      nodepoolWeightTie,
      nodepoolExpiryNever,
      nodepoolZonesImplicit,
      nodepoolCapacityTypeImplicit,
      nodeclassCostTagsMissing,
    ],
  },
];

const ALL: readonly Rule[] = SECTIONS.flatMap((s) => s.rules);
const categories = new Map<RuleId, string>(SECTIONS.flatMap((s) => s.rules.map((r) => [r.id, s.category])));

/** The catalogue section a rule is in. */
export function categoryOf(rule: FindingRule): string {
  if (rule.startsWith('ValidatingAdmissionPolicy/')) return 'ValidatingAdmissionPolicy';
  return categories.get(rule as RuleId) ?? 'Other';
}

const byId = new Map<RuleId, Rule>(ALL.map((r) => [r.id, r]));

export const RULES: readonly Rule[] = RULE_IDS.map((id) => {
  const rule = byId.get(id);
  if (!rule) throw new Error(`rule ${id} is in RULE_IDS but not in the catalogue`);
  return rule;
});
