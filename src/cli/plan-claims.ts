/**
 * `berth plan --emit nodeclaims`: the NodeClaims the provisioner would create for the plan's new nodes,
 * as the cluster will show them (Karpenter v1 objects: requirements narrowed to the planned types, zone
 * and capacity type; the requests of the pods planned on each), so a reviewer sees what would be bought
 * in the objects `kubectl get nodeclaims` lists. Labels carry the planned type, zone and capacity type,
 * which the claim gets once launched.
 */
import { stringify } from 'yaml';
import { LABEL } from '../catalog/instance-type.js';
import { plannedPods } from '../provisioner/controller/hold.js';
import { claimFor, type NodeClaim } from '../provisioner/nodeclaim/object.js';
import type { Plan, SolverInput } from '../provisioner/solver/model.js';
import { sumOf } from '../provisioner/solver/resources.js';

export function plannedClaims(plan: Plan, input: SolverInput): NodeClaim[] {
  const out: NodeClaim[] = [];
  for (const node of plan.nodes) {
    if (node.existing) continue;
    const pool = input.pools.find((p) => p.name === node.nodePool);
    if (!pool) continue;
    const claim = claimFor(node, pool, sumOf(plannedPods(node, input).map((p) => p.requests)));
    claim.metadata.labels = {
      ...claim.metadata.labels,
      [LABEL.instanceType]: node.instanceType,
      [LABEL.zone]: node.zone,
      [LABEL.capacityType]: node.capacityType,
    };
    out.push(claim);
  }
  return out;
}

/** YAML documents, or a JSON List (what `kubectl get nodeclaims -o json` prints). */
export function renderClaims(claims: readonly NodeClaim[], output: string): string {
  if (output === 'json')
    return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: claims }, null, 2)}\n`;
  if (claims.length === 0) return '# No capacity needed: no NodeClaim would be created.\n';
  return claims.map((c) => stringify(c)).join('---\n');
}
