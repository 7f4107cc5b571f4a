/**
 * Drift is eventual disruption. Where a drifted node's NodePool sets terminationGracePeriod, its pods do
 * not keep it — do-not-disrupt pods and PDBs that allow no eviction now — as Karpenter v1.15 defines it
 * (disruption/types.go NewCandidate: IgnorePodBlockEvictionError for the eventual class with a
 * terminationGracePeriod; its docs: "bounded by terminationGracePeriod, regardless of blocking pod PDBs
 * and the do-not-disrupt annotation"; kubernetes-sigs/karpenter#2855). Its replacement is launched and
 * Ready first, and its drain waits on those pods until the deadline (drainer.ts), then deletes them.
 * The node's own do-not-disrupt still holds it, and so does a pod with no controller (Berth's rule:
 * deleting it would lose it for good). For every other method the node stays held (`heldBy`). Pure.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { PoolView } from '../../scheduling/nodepool.js';
import { blockerOf, type Classified, type Kept } from './candidates.js';
import { driftOf, poolGraceMs } from './node-policy.js';
import type { Pdbs } from './pods.js';
import type { World } from './world.js';

/** Whether the node's NodePool bounds its drain by a terminationGracePeriod. */
export const boundedByGrace = (node: V1Node, pools: readonly PoolView[]): boolean =>
  poolGraceMs(node, pools) !== undefined;

/** Drifted nodes kept only by their pods, under a terminationGracePeriod: candidates, for drift alone. */
export function eventualCandidates(
  c: Classified,
  w: Pick<World, 'podsByNode'>,
  pdbs: Pdbs,
  now: Date,
): Classified {
  const promoted: Kept[] = [];
  const candidates = [...c.candidates];
  for (const k of c.kept) {
    const n = c.managed.get(k.node);
    if (!n || driftOf(n) === undefined || !boundedByGrace(n.node, [n.pool])) continue;
    if (/not Ready|already being disrupted/.test(k.reason)) continue;
    const pods = w.podsByNode.get(n.name) ?? [];
    if (blockerOf(n.node, pods, pdbs, now, { eventual: true }) !== undefined) continue;
    candidates.push({ ...n, heldBy: k.reason });
    promoted.push(k);
  }
  if (promoted.length === 0) return c;
  return { ...c, candidates, kept: c.kept.filter((k) => !promoted.includes(k)) };
}
