/**
 * The merge pass over new nodes: a node whose pods all fit on another node grown to a larger type goes,
 * when the grown node costs less than the two did — or more by no more than what is left of the
 * allowance for fewer nodes (`preferFewerNodesWithin` of the plan's price). First-fit placement of
 * pods with inter-pod constraints and greedy packing leave many small nodes; every node also costs its
 * volumes and the per-node cost, which only a plan with fewer nodes saves. Constraints hold as in the
 * shrink pass: a free pod's place changes no count, a constrained pod moves only as the Relocator
 * allows (within its zone, its hostname anti-affinity checked both ways), and a pod moves only where
 * its node requirements hold without narrowing the node.
 */
import { priceOf, type Bin } from './bin.js';
import type { SolverPod } from './model.js';
import { countType } from './pools.js';
import { minValuesOf } from '../../scheduling/min-values.js';
import { resKey, ZERO } from './resources.js';
import type { Relocator } from './relocate.js';
import type { SolverState } from './state.js';

export interface MergeLimits {
  /** USD/h the pass may add in all for fewer nodes. */
  allowance: number;
}

/** The pods of `from`, if every one may move (free, or one the relocator knows). */
function movablePods(
  from: Bin,
  pods: ReadonlyMap<string, SolverPod>,
  free: ReadonlyMap<string, SolverPod>,
  relocator: Relocator,
): SolverPod[] | undefined {
  const out: SolverPod[] = [];
  for (const id of from.pods) {
    const pod = free.get(id) ?? (relocator.has(id) ? pods.get(id) : undefined);
    if (!pod) return undefined;
    out.push(pod);
  }
  return out;
}

/** Whether `to` takes every pod as it is (no narrowing) and the constraints allow each move. */
function movesAllowed(
  state: SolverState,
  moving: readonly SolverPod[],
  from: Bin,
  to: Bin,
  relocator: Relocator,
) {
  for (const pod of moving) {
    const n = to.accepts(pod, state.placementKey(pod), state.input.catalog);
    if (!n || n.types !== to.types || !relocator.tryMove(pod, from, to)) {
      relocator.undo();
      return false;
    }
  }
  relocator.commit();
  return true;
}

function moveAll(
  state: SolverState,
  moving: readonly SolverPod[],
  from: Bin,
  to: Bin,
  at: Map<string, number>,
) {
  // Pods of the same requests move together (a bin's remove filters its whole list).
  const byShape = new Map<string, SolverPod[]>();
  for (const pod of moving) {
    const key = resKey(pod.requests);
    const same = byShape.get(key);
    if (same) same.push(pod);
    else byShape.set(key, [pod]);
    const binding = state.bindings[at.get(pod.id) ?? -1];
    if (binding) binding.node = to.name;
  }
  for (const same of byShape.values()) {
    const ids = same.map((p) => p.id);
    const one = same[0]?.requests ?? ZERO;
    from.remove(ids, one);
    to.add(ids, one, null);
  }
  const pool = from.pool;
  if (pool) countType(pool.reserved, from.current?.type, -1);
  const i = state.bins.indexOf(from);
  if (i >= 0) state.bins.splice(i, 1);
}

/** The node `from` can merge into, the cheapest merge first; undefined when none pays. */
function targetFor(from: Bin, fresh: readonly Bin[], limits: MergeLimits): { to: Bin; extra: number }[] {
  const out: { to: Bin; extra: number }[] = [];
  for (const to of fresh) {
    if (to === from || to.pods.length === 0 || to.pool !== from.pool) continue;
    const most = priceOf(to) + priceOf(from) + Math.max(0, limits.allowance);
    if (!to.mayTake(from.used, to.types, most + 1e-9)) continue;
    const t = to.typeFor(from.used, to.types, most + 1e-9, to.current?.price);
    if (!t) continue;
    const extra = t.price - priceOf(to) - priceOf(from);
    if (extra <= Math.max(0, limits.allowance) + 1e-9) out.push({ to, extra });
  }
  return out.sort((a, b) => a.extra - b.extra).slice(0, TARGETS);
}

/** The cheapest merges tried per node: past these, a constraint refuses the rest as a rule. */
const TARGETS = 8;

/**
 * Merges new nodes into others while it pays (see above), the cheapest nodes first. `free`: pods
 * without inter-pod constraints; the relocator says which constrained pods may move, and where.
 */
export function mergeNodes(
  state: SolverState,
  free: ReadonlyMap<string, SolverPod>,
  relocator: Relocator,
  limits: MergeLimits,
): void {
  const pods = new Map(state.input.pods.map((p) => [p.id, p]));
  const at = new Map(state.bindings.map((b, i) => [b.pod, i]));
  // A pool with minValues is left as placed: a larger type may leave too few types to choose from.
  const fresh = state.bins.filter(
    (b) =>
      b.isNew && b.current && b.pods.length > 0 && b.pool && minValuesOf(b.pool.option.view).length === 0,
  );
  fresh.sort((a, b) => priceOf(a) - priceOf(b));
  for (const from of [...fresh]) {
    const moving = movablePods(from, pods, free, relocator);
    if (!moving) continue;
    for (const { to, extra } of targetFor(from, fresh, limits)) {
      if (!movesAllowed(state, moving, from, to, relocator)) continue;
      moveAll(state, moving, from, to, at);
      limits.allowance -= Math.max(0, extra);
      fresh.splice(fresh.indexOf(from), 1);
      break;
    }
  }
}
