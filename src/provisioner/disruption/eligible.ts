/**
 * The nodes eligible for disruption now, by Karpenter's reason, as its disruption controller sets
 * `karpenter_voluntary_disruption_eligible_nodes` (disruption/controller.go): the candidates left once
 * nodes blocked by do-not-disrupt pods or PDBs, not Ready or already going are out (and, for
 * consolidation, those within consolidateAfter), counted before budgets. Pure.
 */
import type { Classified } from './candidates.js';
import { consolidates, drifted, policyOf } from './node-policy.js';

export interface Eligible {
  readonly drifted: number;
  readonly underutilized: number;
  readonly empty: number;
}

export function eligibleCounts(c: Classified): Eligible {
  let empty = 0;
  let underutilized = 0;
  for (const n of c.candidates) {
    if (!consolidates(n) || n.heldBy !== undefined) continue;
    if (n.moving.length === 0) empty += 1;
    else if (policyOf(n) !== 'WhenEmpty') underutilized += 1;
  }
  return { drifted: c.candidates.filter(drifted).length, underutilized, empty };
}
