/**
 * What a node's NodePool and labels say of it: its consolidation policy, whether it is consolidated at
 * all, whether (and why) it drifted, and the terminationGracePeriod that bounds its drain. Pure.
 */
import type { V1Node } from '@kubernetes/client-node';
import { LABEL } from '../../catalog/instance-type.js';
import {
  IMAGE_LABEL,
  NODECLASS_HASH_LABEL,
  TEMPLATE_HASH_LABEL,
  type PoolView,
} from '../../scheduling/nodepool.js';
import { allows } from '../../scheduling/requirements.js';
import { parseGoDuration } from '../../util/go-duration.js';
import type { NodeInfo } from './candidates.js';

export const policyOf = (n: NodeInfo) =>
  n.pool.pool.spec.disruption?.consolidationPolicy ?? 'WhenEmptyOrUnderutilized';
/** A static pool (spec.replicas, Karpenter v1.8) is never consolidated: its count is kept as set. */
export const consolidates = (n: NodeInfo) =>
  n.pool.replicas === undefined &&
  parseGoDuration(n.pool.pool.spec.disruption?.consolidateAfter) !== Number.POSITIVE_INFINITY;

/** The node's NodePool's terminationGracePeriod (ms); undefined when it sets none (or Never). */
export function poolGraceMs(node: V1Node, pools: readonly PoolView[]): number | undefined {
  const pool = pools.find((p) => p.name === node.metadata?.labels?.[LABEL.nodePool]);
  const grace = parseGoDuration(pool?.pool.spec.template.spec.terminationGracePeriod);
  return grace !== undefined && Number.isFinite(grace) ? grace : undefined;
}

/**
 * Why a node drifted, if it did: its labels no longer meet its NodePool's requirements (a requirement
 * changed since launch, or the template it was launched from did: its `berth.dev/nodepool-hash` label,
 * which the pool's requirements pin to the current template's hash); or it booted an image its
 * EC2NodeClass no longer resolves to (a new `al2023@latest`, a changed selector).
 */
export function driftOf(n: Pick<NodeInfo, 'node' | 'pool'>): string | undefined {
  const labels = n.node.metadata?.labels ?? {};
  const image = labels[IMAGE_LABEL];
  if (image !== undefined && n.pool.images !== undefined && !n.pool.images.has(image))
    return `AMIDrift: image ${image} is no longer one its EC2NodeClass resolves to`;
  for (const r of n.pool.requirements.values()) {
    const v = labels[r.key];
    if (v !== undefined && !allows(r, v))
      return r.key === TEMPLATE_HASH_LABEL
        ? `NodePoolDrifted: NodePool ${n.pool.name}'s template changed since launch`
        : r.key === NODECLASS_HASH_LABEL
          ? `NodeClassDrifted: its EC2NodeClass changed since launch`
          : `RequirementsDrifted: ${r.key}=${v} no longer meets NodePool ${n.pool.name}'s requirements`;
  }
  return undefined;
}

export const drifted = (n: NodeInfo): boolean => driftOf(n) !== undefined;
