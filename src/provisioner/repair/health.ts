/**
 * Node repair, as Karpenter v1.15 decides it (feature gate NodeRepair; kubernetes-sigs/karpenter
 * pkg/controllers/disruption/repair.go, aws/karpenter-provider-aws cloudprovider.RepairPolicies): a
 * node whose condition has been in a bad state for longer than its toleration is replaced — unless
 * more than 20% of its NodePool's nodes (rounded up, as a PDB rounds a percentage) are unhealthy at
 * once, which points at something repair would only make worse, or it carries
 * `karpenter.sh/do-not-repair: "true"`. Since v1.15 repair is a disruption method: it rides the
 * pool's disruption budgets with reason `Unhealthy` (a node that is merely NotReady does not use that
 * budget up; one already being disrupted does), the longest-unhealthy node goes first, and one node is
 * repaired per round. Pure.
 */
import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';
import { LABEL } from '../../catalog/instance-type.js';

export interface RepairPolicy {
  readonly condition: string;
  readonly status: 'False' | 'Unknown' | 'True';
  readonly tolerationMs: number;
}

const MIN = 60_000;

/** AWS's policies: the kubelet's Ready, then the EKS Node Monitoring Agent's conditions. */
export const REPAIR_POLICIES: readonly RepairPolicy[] = [
  { condition: 'Ready', status: 'False', tolerationMs: 30 * MIN },
  { condition: 'Ready', status: 'Unknown', tolerationMs: 30 * MIN },
  { condition: 'AcceleratedHardwareReady', status: 'False', tolerationMs: 10 * MIN },
  { condition: 'StorageReady', status: 'False', tolerationMs: 30 * MIN },
  { condition: 'NetworkingReady', status: 'False', tolerationMs: 30 * MIN },
  { condition: 'KernelReady', status: 'False', tolerationMs: 30 * MIN },
  { condition: 'ContainerRuntimeReady', status: 'False', tolerationMs: 30 * MIN },
];

/** Up to this share of a pool may be unhealthy and still be repaired. */
export const ALLOWED_UNHEALTHY = 0.2;

export interface Unhealthy {
  readonly condition: string;
  readonly status: string;
  /** When the condition entered that status (ms). */
  readonly since: number;
  /** When its toleration runs out (ms). */
  readonly repairAt: number;
}

const conditionOf = (node: V1Node, type: string): V1NodeCondition | undefined =>
  node.status?.conditions?.find((c) => c.type === type);

/**
 * The bad condition whose toleration runs out first (findUnhealthyConditions), if any. A condition
 * with no lastTransitionTime counts from the epoch, as Go's zero time would: past any toleration.
 */
export function unhealthyOf(
  node: V1Node,
  policies: readonly RepairPolicy[] = REPAIR_POLICIES,
): Unhealthy | undefined {
  let found: Unhealthy | undefined;
  for (const p of policies) {
    const c = conditionOf(node, p.condition);
    if (c?.status !== p.status) continue;
    const t = c.lastTransitionTime;
    const since = t === undefined ? 0 : new Date(t).getTime();
    const repairAt = since + p.tolerationMs;
    if (!found || repairAt < found.repairAt)
      found = { condition: p.condition, status: p.status, since, repairAt };
  }
  return found;
}

/** How many of `total` nodes may be unhealthy: 20%, rounded up (GetScaledValueFromIntOrPercent). */
export const unhealthyAllowed = (total: number): number => Math.ceil(total * ALLOWED_UNHEALTHY);

/** The annotation (Node or NodeClaim) that blocks repair whatever else allows it (Karpenter v1.15). */
export const DO_NOT_REPAIR = 'karpenter.sh/do-not-repair';

export type RepairStep =
  | { readonly kind: 'repair'; readonly node: V1Node; readonly unhealthy: Unhealthy }
  | { readonly kind: 'blocked'; readonly node: V1Node; readonly unhealthy: Unhealthy; readonly why: string }
  /** Past its toleration, but the pool's budget for Unhealthy allows no more now, or a repair went first this round. */
  | { readonly kind: 'budget'; readonly node: V1Node; readonly unhealthy: Unhealthy; readonly why: string }
  | { readonly kind: 'wait'; readonly node: V1Node; readonly unhealthy: Unhealthy };

/**
 * How many of a pool's nodes the budgets let repair start now (reason Unhealthy), from its node count
 * and those already being disrupted; with the reason why. Absent: no budget limits it.
 */
export type RepairBudget = (
  pool: string,
  counts: { total: number; disrupting: number },
) => { allowed: number; why: string };

interface Found {
  readonly node: V1Node;
  readonly unhealthy: Unhealthy;
  readonly pool: string;
}

/**
 * What repair does now with each of Berth's nodes (those with a NodePool label), `skip` left out
 * (nodes already being disrupted or deleted, which count against the budget): repair the one
 * unhealthy longest past its toleration whose pool is healthy enough and whose budget allows it, say
 * why for the others past it, and wait for those still within it.
 */
export function repairSteps(
  nodes: readonly V1Node[],
  now: number,
  skip: (n: V1Node) => boolean,
  budget?: RepairBudget,
): RepairStep[] {
  const byPool = new Map<string, V1Node[]>();
  for (const n of nodes) {
    const pool = n.metadata?.labels?.[LABEL.nodePool];
    if (pool !== undefined) byPool.set(pool, [...(byPool.get(pool) ?? []), n]);
  }
  const steps: RepairStep[] = [];
  const due: Found[] = [];
  const room = new Map<string, { allowed: number; why: string }>();
  for (const [pool, members] of byPool) {
    const bad = members.flatMap((node) => {
      const unhealthy = unhealthyOf(node);
      return unhealthy ? [{ node, unhealthy, pool }] : [];
    });
    const healthy = bad.length <= unhealthyAllowed(members.length);
    room.set(
      pool,
      budget?.(pool, { total: members.length, disrupting: members.filter(skip).length }) ?? {
        allowed: Number.POSITIVE_INFINITY,
        why: 'no budget limits it now',
      },
    );
    for (const f of bad) {
      const step = stepOf(
        f,
        now,
        healthy
          ? undefined
          : `more than 20% nodes are unhealthy in the nodepool (${bad.length} of ${members.length} in NodePool ${pool})`,
      );
      if (skip(f.node)) continue;
      if (step) steps.push(step);
      else due.push(f);
    }
  }
  return [...steps, ...chooseOne(due, room)];
}

/** Wait, or blocked (the pool's 20% guard, do-not-repair); undefined: due for repair. */
function stepOf(f: Found, now: number, unhealthyPool: string | undefined): RepairStep | undefined {
  const { node, unhealthy } = f;
  if (now < unhealthy.repairAt) return { kind: 'wait', node, unhealthy };
  if (unhealthyPool !== undefined) return { kind: 'blocked', node, unhealthy, why: unhealthyPool };
  if (node.metadata?.annotations?.[DO_NOT_REPAIR] === 'true')
    return {
      kind: 'blocked',
      node,
      unhealthy,
      why: `repair is blocked through the "${DO_NOT_REPAIR}" annotation`,
    };
  return undefined;
}

/** The longest-unhealthy node (then by name) whose pool has budget is repaired; the others wait their turn. */
function chooseOne(due: Found[], room: ReadonlyMap<string, { allowed: number; why: string }>): RepairStep[] {
  const ordered = [...due].sort(
    (a, b) =>
      a.unhealthy.since - b.unhealthy.since ||
      (a.node.metadata?.name ?? '').localeCompare(b.node.metadata?.name ?? ''),
  );
  let done = false;
  return ordered.map(({ node, unhealthy, pool }): RepairStep => {
    const r = room.get(pool);
    if (r && r.allowed <= 0)
      return {
        kind: 'budget',
        node,
        unhealthy,
        why: `NodePool ${pool}'s disruption budget for Unhealthy: ${r.why}`,
      };
    if (done)
      return { kind: 'budget', node, unhealthy, why: 'another node is repaired first (one per round)' };
    done = true;
    return { kind: 'repair', node, unhealthy };
  });
}
