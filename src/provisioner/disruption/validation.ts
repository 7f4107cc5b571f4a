/**
 * The check after the validation delay (Karpenter's commandValidationDelay): a decision still holds
 * when its nodes are all there, nothing on them blocks eviction now, and their pods still fit on the
 * other nodes without new capacity (replacements, once Ready, are among those nodes). Pure.
 */
import { blockerOf } from './candidates.js';
import { moves, podId, type Pdbs } from './pods.js';
import { simulate, type World } from './simulate.js';

/** Why the decision over `names` no longer holds, or undefined if it does. */
export function stillHolds(w: World, names: readonly string[], pdbs: Pdbs): string | undefined {
  const nodes = w.nodes.filter((n) => names.includes(n.metadata?.name ?? ''));
  if (nodes.length !== names.length) return 'a node is gone';
  for (const n of nodes) {
    const why = blockerOf(n, w.podsByNode.get(n.metadata?.name ?? '') ?? [], pdbs);
    if (why !== undefined) return why;
  }
  const moving = nodes.flatMap((n) => (w.podsByNode.get(n.metadata?.name ?? '') ?? []).filter(moves));
  const sim = simulate(w, new Set(names), moving);
  if (!sim.ok) return sim.why;
  if (sim.launch.length > 0)
    return `its pods (${moving.map(podId).join(', ')}) no longer fit on the other nodes`;
  return undefined;
}
