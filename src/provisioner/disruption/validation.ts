/**
 * The check after the validation delay (Karpenter's commandValidationDelay), made before anything is
 * launched, as Karpenter's order is: a decision still holds when its nodes are all there, no pod came
 * to or left an emptiness or consolidation decision's nodes (untainted until now), nothing on them
 * blocks eviction now, and their pods still fit — on the other nodes beside the decisions under
 * way, plus the new capacity a decision that replaces may launch (at most as many nodes as it removes,
 * for less than they cost). Its replacements are planned afresh here and launched only then, so a
 * replacement stands empty only while it joins. Pure.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { poolPriceOfLabels } from '../../scheduling/nodepool.js';
import type { PlannedNode } from '../solver/model.js';
import { blockerOf } from './candidates.js';
import { boundedByGrace } from './eventual.js';
import { moves, podId, type Pdbs } from './pods.js';
import { simulate, simulateMust } from './simulate.js';
import { changedWhileValidated } from './settling.js';
import type { World } from './world.js';

export type Recheck =
  { ok: true; launch: readonly PlannedNode[]; price: number } | { ok: false; why: string };

export interface RecheckOptions {
  /** Expiration goes whatever blocks its node (its drain still waits, bounded by terminationGracePeriod). */
  readonly forceful: boolean;
  /** May launch new capacity: a replacement decision, drift or expiration (not one that only deleted). */
  readonly mayLaunch: boolean;
  /** A consolidation: what it launches costs less than what it removes and is not more nodes. */
  readonly consolidation: boolean;
  /** Emptiness: its nodes are still empty (Karpenter's EmptinessValidator). */
  readonly empty?: boolean;
  /** For do-not-disrupt durations. */
  readonly now: Date;
  /** Pods a drain moves surge-first (surge.ts): a PDB does not hold them. */
  readonly surges?: (pod: V1Pod) => boolean;
  /** A drift: where its NodePool sets terminationGracePeriod, pods do not hold it (eventual.ts). */
  readonly drift?: boolean;
}

/** Whether the decision over `names` still holds, and with what new capacity. */
export function recheck(w: World, names: readonly string[], pdbs: Pdbs, o: RecheckOptions): Recheck {
  const nodes = w.nodes.filter((n) => names.includes(n.metadata?.name ?? ''));
  if (nodes.length !== names.length) return { ok: false, why: 'a node is gone' };
  // Untainted in their delay (node-ops.ts), emptiness and consolidation decisions are dropped when a
  // pod came to their nodes or left them meanwhile, as Karpenter's validators drop them.
  const paced = o.consolidation || o.empty === true;
  const changed = paced ? (changedWhileValidated(nodes, w.settling) ?? notEmpty(w, nodes, o)) : undefined;
  if (changed !== undefined) return { ok: false, why: changed };
  const blocked = o.forceful ? undefined : blockedNow(w, nodes, pdbs, o);
  if (blocked !== undefined) return { ok: false, why: blocked };
  const moving = nodes.flatMap((n) => (w.podsByNode.get(n.metadata?.name ?? '') ?? []).filter(moves));
  // Drift and expiration must happen: where other decisions' pods need the room, they launch for their
  // own (simulateMust); an optional consolidation never counts on that room.
  const sim = o.consolidation
    ? simulate(w, new Set(names), moving, { consolidation: true })
    : simulateMust(w, new Set(names), moving);
  if (!sim.ok) return sim;
  if (sim.launch.length === 0) return { ok: true, launch: [], price: 0 };
  if (!o.mayLaunch)
    return { ok: false, why: `its pods (${moving.map(podId).join(', ')}) no longer fit on the other nodes` };
  const costly = o.consolidation ? notCheaper(w, nodes, sim.launch.length, sim.price) : undefined;
  if (costly !== undefined) return { ok: false, why: costly };
  return { ok: true, launch: sim.launch, price: sim.price };
}

/** An emptiness decision's node that a pod came to meanwhile (with consolidateAfter 0s too), if any. */
function notEmpty(w: World, nodes: readonly V1Node[], o: RecheckOptions): string | undefined {
  if (o.empty !== true) return undefined;
  const taken = nodes.find((n) => (w.podsByNode.get(n.metadata?.name ?? '') ?? []).some(moves));
  return taken
    ? `${taken.metadata?.name ?? ''}: a pod came to it while the decision was validated`
    : undefined;
}

/** What blocks one of the nodes now, if anything does (a drift bounded by grace: the node alone). */
function blockedNow(w: World, nodes: readonly V1Node[], pdbs: Pdbs, o: RecheckOptions): string | undefined {
  for (const n of nodes) {
    const pods = w.podsByNode.get(n.metadata?.name ?? '') ?? [];
    const eventual = o.drift === true && boundedByGrace(n, w.pools);
    const why = blockerOf(n, pods, pdbs, o.now, { ...(o.surges ? { surges: o.surges } : {}), eventual });
    if (why !== undefined) return why;
  }
  return undefined;
}

/** Why new capacity for a consolidation's pods no longer pays: not less than the nodes, or more of them. */
function notCheaper(w: World, nodes: readonly V1Node[], count: number, price: number): string | undefined {
  const before = nodes.reduce(
    (s, n) => s + poolPriceOfLabels(w.catalog, w.pools, n.metadata?.labels ?? {}),
    0,
  );
  if (!(price < before))
    return `its pods now need $${price.toFixed(4)}/h of new capacity, not less than its $${before.toFixed(4)}/h`;
  if (count > nodes.length) return `its pods now need ${count} new nodes for ${nodes.length}`;
  return undefined;
}
