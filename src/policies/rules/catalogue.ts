/** Every rule, in the stable order findings are reported (the order of RULE_IDS). */
import { RULE_IDS, type RuleId } from './ids.js';
import type { Rule } from './rule.js';
import { pdbBlocksEviction, pdbHpaMin, pdbOverlap } from './drain-pdb.js';
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

const ALL: readonly Rule[] = [
  pdbBlocksEviction,
  pdbOverlap,
  pdbHpaMin,
  pdbMissing,
  singleReplica,
  nakedPod,
  localStorage,
  doNotDisrupt,
  gracePeriod,
  requestsMissing,
  limitRequestRatio,
  replicasBelowProfile,
  replicasAboveProfile,
  hpaAboveProfile,
  burstAboveProfile,
  zoneSpreadMissing,
  spreadUnsatisfiable,
  placementUnsatisfiable,
  requestsExceedCapacity,
  spotUnsuitable,
  instanceTypePinned,
  requiredLabels,
  profileMissing,
  profileSchemaRule,
  profileRuntimeClassUnknown,
  profileSpotForbidden,
  profileUndrainable,
  profileZoneSpreadImpossible,
  profileRequestsExceedCapacity,
  profileLimitsExceeded,
];

const byId = new Map<RuleId, Rule>(ALL.map((r) => [r.id, r]));

export const RULES: readonly Rule[] = RULE_IDS.map((id) => {
  const rule = byId.get(id);
  if (!rule) throw new Error(`rule ${id} is in RULE_IDS but not in the catalogue`);
  return rule;
});
