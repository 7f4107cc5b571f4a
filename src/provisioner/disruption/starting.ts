/**
 * Room a consolidation may not count on: nodes still starting. Karpenter's disruption simulation fails a
 * command whose pods "would schedule against uninitialized nodeclaim" (disruption/helpers.go
 * SimulateScheduling), so that a node is removed only while its pods can move at once, and it is
 * decided again once the new node is up. A node Berth or Karpenter manages (it carries
 * `karpenter.sh/nodepool`) is starting until its Ready condition is True and its start-up taints are
 * gone (its NodePool's `startupTaints`, and the kubelet's and cloud's own); a replacement launched and
 * not joined yet is starting too. Other nodes are taken as they are, as Karpenter takes them.
 *
 * The same rule keeps a workload's return from paying twice: the nodes the provisioner launches for
 * pods coming back have room beyond them, and a consolidation decided before the return must not
 * empty a node into that room while those nodes boot (on bench:cluster's churn workload, four nodes
 * were validated for removal 8–10 s after 18 were launched for the returning pods, none of those
 * Ready yet).
 * Drift and expiration, which must happen, launch for their pods and may wait for their own nodes.
 */
import type { V1Node } from '@kubernetes/client-node';
import { LABEL } from '../../catalog/instance-type.js';
import { startingTaint } from '../input/nodes.js';
import { nodeReady } from '../nodeclaim/conditions.js';
import type { ExistingNode, Plan } from '../solver/model.js';
import type { World } from './world.js';

/** Why a consolidation waits for a node to come up (kept reason `node-starting`). */
export const STILL_STARTING = 'it is still starting, and a consolidation counts only on nodes that are up';

/** Whether a managed Node is still starting: not Ready, or carrying a start-up taint of its pool's. */
export function stillStarting(node: V1Node, w: Pick<World, 'pools'>): boolean {
  const pool = node.metadata?.labels?.[LABEL.nodePool];
  if (pool === undefined) return false;
  if (!nodeReady(node)) return true;
  const startup = w.pools.find((p) => p.name === pool)?.pool.spec.template.spec.startupTaints ?? [];
  return (node.spec?.taints ?? []).some((t) => startingTaint(t, startup));
}

/**
 * The first of `moving`'s placements (pod → node) in `plan` that lands on a node still starting, if
 * any: `staying` are the nodes the plan had, replacements under way among them (`inFlight`). The
 * plan's own new nodes are its launches, never room it counts on.
 */
export function placedOnStarting(
  w: World,
  staying: readonly ExistingNode[],
  plan: Pick<Plan, 'nodes' | 'bindings'>,
  moving: ReadonlySet<string>,
): { pod: string; node: string } | undefined {
  if (moving.size === 0) return undefined;
  const fresh = new Set(plan.nodes.filter((n) => !n.existing).map((n) => n.name));
  const targets = plan.bindings.filter((b) => moving.has(b.pod) && !fresh.has(b.node));
  if (targets.length === 0) return undefined;
  const starting = new Set(staying.filter((n) => n.inFlight).map((n) => n.name));
  const named = new Set(targets.map((b) => b.node));
  for (const n of w.nodes) {
    const name = n.metadata?.name ?? '';
    if (named.has(name) && stillStarting(n, w)) starting.add(name);
  }
  return targets.find((b) => starting.has(b.node));
}
