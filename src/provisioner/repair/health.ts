/**
 * Node repair, as Karpenter's node health controller decides it (feature gate NodeRepair, v1.1;
 * kubernetes-sigs/karpenter pkg/controllers/node/health, aws/karpenter-provider-aws
 * cloudprovider.RepairPolicies): a node whose condition has been in a bad state for longer than its
 * toleration is replaced — unless more than 20% of its NodePool's nodes (rounded up, as a PDB rounds a
 * percentage) are unhealthy at once, which points at something repair would only make worse. Pure.
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

export type RepairStep =
  | { readonly kind: 'repair'; readonly node: V1Node; readonly unhealthy: Unhealthy }
  | { readonly kind: 'blocked'; readonly node: V1Node; readonly unhealthy: Unhealthy; readonly why: string }
  | { readonly kind: 'wait'; readonly node: V1Node; readonly unhealthy: Unhealthy };

/**
 * What repair does now with each of Berth's nodes (those with a NodePool label), `skip` left out
 * (nodes already being disrupted or deleted): repair those unhealthy past their toleration in a pool
 * healthy enough, say why for the others past it, and wait for those still within it.
 */
export function repairSteps(
  nodes: readonly V1Node[],
  now: number,
  skip: (n: V1Node) => boolean,
): RepairStep[] {
  const byPool = new Map<string, V1Node[]>();
  for (const n of nodes) {
    const pool = n.metadata?.labels?.[LABEL.nodePool];
    if (pool !== undefined) byPool.set(pool, [...(byPool.get(pool) ?? []), n]);
  }
  const steps: RepairStep[] = [];
  for (const [pool, members] of byPool) {
    const bad = members.flatMap((node) => {
      const unhealthy = unhealthyOf(node);
      return unhealthy ? [{ node, unhealthy }] : [];
    });
    const healthy = bad.length <= unhealthyAllowed(members.length);
    for (const { node, unhealthy } of bad) {
      if (skip(node)) continue;
      if (now < unhealthy.repairAt) steps.push({ kind: 'wait', node, unhealthy });
      else if (healthy) steps.push({ kind: 'repair', node, unhealthy });
      else
        steps.push({
          kind: 'blocked',
          node,
          unhealthy,
          why: `more than 20% nodes are unhealthy in the nodepool (${bad.length} of ${members.length} in NodePool ${pool})`,
        });
    }
  }
  return steps;
}
