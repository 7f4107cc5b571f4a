/**
 * The improvement phase, while the time budget lasts: ruin and recreate. The least valuable new nodes
 * of a class (worth at shadow prices per dollar) are emptied and their pods packed again; the change is
 * kept only if it costs less. Pods without inter-pod constraints are the only ones moved, so every
 * constraint checked at placement still holds.
 */
import { priceOf, type Bin, type PoolState } from './bin.js';
import { open, simulate, type FreeClass, type Packed } from './free.js';
import { valueOf } from './lp.js';
import type { SolverPod } from './model.js';
import type { SolverState } from './state.js';
import { countType, type Usage } from './pools.js';

/** A class holding just the pods of `bins`, in the shapes of the original class. */
function classOf(
  state: SolverState,
  p: Packed,
  bins: readonly Bin[],
  pods: ReadonlyMap<string, SolverPod>,
): FreeClass {
  const ids = new Set(bins.flatMap((b) => b.pods));
  const shapes = p.c.shapes.map((s) => ({ ...s, pods: [] as SolverPod[] }));
  const index = new Map(p.c.shapes.map((s, i) => [s.key, i]));
  for (const id of ids) {
    const pod = pods.get(id);
    const i = pod ? index.get(state.shapeKey(pod)) : undefined;
    if (pod && i !== undefined) shapes[i]?.pods.push(pod);
  }
  return { sample: p.c.sample, shapes };
}

function release(state: SolverState, bins: readonly Bin[]): void {
  const gone = new Set(bins);
  const ids = new Set(bins.flatMap((b) => b.pods));
  for (const b of bins) {
    const pool = b.pool;
    if (pool && b.current) {
      countType(pool.reserved, b.current.type, -1);
    }
  }
  const keep = state.bins.filter((b) => !gone.has(b));
  state.bins.splice(0, state.bins.length, ...keep);
  const bindings = state.bindings.filter((b) => !ids.has(b.pod));
  state.bindings.splice(0, state.bindings.length, ...bindings);
}

/**
 * Whether every pod on a bin is one of the class's: a later class may have filled the room left on
 * this class's bins, and a pod repacked as this class's would be lost (its shape is not the class's)
 * or placed under constraints that are not its own.
 */
function classBins(
  state: SolverState,
  p: Packed,
  pods: ReadonlyMap<string, SolverPod>,
): (bin: Bin) => boolean {
  const key = state.placementKey(p.c.sample);
  const shapes = new Set(p.c.shapes.map((s) => s.key));
  const mine = (id: string): boolean => {
    const pod = pods.get(id);
    return pod !== undefined && state.placementKey(pod) === key && shapes.has(state.shapeKey(pod));
  };
  // A bin's pods change only when a step repacks it into new bins: the answer holds per bin.
  const known = new WeakMap<Bin, boolean>();
  return (bin) => {
    let ok = known.get(bin);
    if (ok === undefined) known.set(bin, (ok = bin.pods.every(mine)));
    return ok;
  };
}

/** One ruin-and-recreate step over the k least valuable bins; true if it made the plan cheaper. */
function step(
  state: SolverState,
  p: Packed,
  k: number,
  pods: ReadonlyMap<string, SolverPod>,
  eligible: (bin: Bin) => boolean,
): boolean {
  const ranked = p.bins
    .filter(eligible)
    .sort((a, b) => valueOf(p.y, a.used) / priceOf(a) - valueOf(p.y, b.used) / priceOf(b));
  const worst = ranked.slice(0, k);
  if (worst.length < 2) return false;
  const before = worst.reduce((n, b) => n + priceOf(b), 0);
  const c = classOf(state, p, worst, pods);
  const reserved = new Map<PoolState, Usage>();
  for (const b of worst) {
    const pool = b.pool;
    if (!pool || !b.current) continue;
    const r = reserved.get(pool) ?? { ...pool.reserved };
    countType(r, b.current.type, -1);
    reserved.set(pool, r);
  }
  const sim = simulate(p.options, c, p.y, reserved);
  if (!sim.placedAll || sim.cost >= before - 1e-9) return false;
  release(state, worst);
  const fresh = open(state, c, sim.trials);
  const kept = p.bins.filter((b) => !worst.includes(b));
  p.bins.splice(0, p.bins.length, ...kept, ...fresh);
  return true;
}

export function improve(state: SolverState, packed: readonly Packed[], timeLeft: () => boolean): void {
  const pods = new Map(state.input.pods.map((p) => [p.id, p]));
  for (const p of packed) {
    const eligible = classBins(state, p, pods);
    let k = 2;
    while (timeLeft() && k <= Math.min(6, p.bins.length)) {
      if (!step(state, p, k, pods, eligible)) k += 1;
    }
  }
}
