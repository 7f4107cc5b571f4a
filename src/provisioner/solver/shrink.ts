/**
 * The last pass over new nodes: a node that could be a cheaper type without some of its pods gives them
 * to other nodes that hold them as they are — room already paid for, so no node grows. The most
 * expensive nodes go first, and a node's pods move only when the moves found make it cheaper. The
 * plan's cost only drops, and every constraint checked at placement still holds: a free pod's place
 * changes no count, and a constrained pod moves only as the Relocator allows (within its zone, its
 * hostname anti-affinity checked both ways).
 */
import { priceOf, type Bin } from './bin.js';
import type { SolverPod } from './model.js';
import { addInto, fitsWith, ZERO, type Res } from './resources.js';
import type { SolverState } from './state.js';
import type { Relocator } from './relocate.js';

/** Room on `b` for one more pod of `req`, beside what this pass already plans to move there. */
function holds(b: Bin, extra: Readonly<Res>, req: Readonly<Res>): boolean {
  const used: Res = { ...b.used };
  addInto(used, extra);
  if (b.existing) return fitsWith(b.existing.allocatable, used, req);
  return b.current !== undefined && fitsWith(b.current.cap, used, req);
}

/** The bin the pod can move to without it growing or narrowing, if any. */
function roomFor(
  state: SolverState,
  pod: SolverPod,
  from: Bin,
  planned: ReadonlyMap<Bin, Res>,
  relocator: Relocator | undefined,
): Bin | undefined {
  const key = state.placementKey(pod);
  for (const b of state.bins) {
    if (b === from) continue;
    const n = b.accepts(pod, key, state.input.catalog);
    if (!n || (b.isNew && n.types !== b.types)) continue;
    if (!holds(b, planned.get(b) ?? ZERO, pod.requests)) continue;
    if (!relocator || relocator.tryMove(pod, from, b)) return b;
  }
  return undefined;
}

/** Moves that make `bin` a cheaper type, or none. */
function movesFor(
  state: SolverState,
  bin: Bin,
  movable: readonly SolverPod[],
  relocator: Relocator | undefined,
): [SolverPod, Bin][] {
  const planned = new Map<Bin, Res>();
  const moves: [SolverPod, Bin][] = [];
  const rest: Res = { ...bin.used };
  const before = priceOf(bin);
  for (const pod of movable) {
    const to = roomFor(state, pod, bin, planned, relocator);
    if (!to) continue;
    const extra = planned.get(to) ?? { ...ZERO };
    addInto(extra, pod.requests);
    planned.set(to, extra);
    moves.push([pod, to]);
    addInto(rest, pod.requests, -1);
    const cheaper = bin.types.find((t) => fitsWith(t.cap, rest, ZERO));
    if (cheaper && cheaper.price < before) {
      relocator?.commit();
      return moves;
    }
  }
  relocator?.undo();
  return [];
}

const DIMS = ['cpu', 'mem', 'pods', 'gpu'] as const;

function roomOf(b: Bin): Res {
  const cap = b.existing ? b.existing.allocatable : b.current?.cap;
  const out: Res = { ...ZERO };
  if (cap) for (const d of DIMS) out[d] = Math.max(0, cap[d] - b.used[d]);
  return out;
}

function totalRoom(bins: readonly Bin[]): Res {
  const out: Res = { ...ZERO };
  for (const b of bins) addInto(out, roomOf(b));
  return out;
}

/**
 * Whether all the room elsewhere could even take what the bin must shed to become a cheaper type (per
 * dimension, against the largest of the cheaper types): most bins of a tight plan fail here at once.
 */
function worthTrying(bin: Bin, roomElsewhere: Readonly<Res>): boolean {
  const price = priceOf(bin);
  const largest: Res = { ...ZERO };
  let any = false;
  for (const t of bin.types)
    if (t.price < price) {
      any = true;
      for (const d of DIMS) largest[d] = Math.max(largest[d], t.cap[d]);
    }
  return any && DIMS.every((d) => bin.used[d] - largest[d] <= roomElsewhere[d]);
}

/**
 * `free`: the pods that may move anywhere they fit; `relocator`, if given, says which constrained pods
 * may move too, and where.
 */
export function shrink(
  state: SolverState,
  timeLeft: () => boolean,
  free: ReadonlyMap<string, SolverPod>,
  relocator?: Relocator,
): void {
  const pods = relocator ? new Map(state.input.pods.map((p) => [p.id, p])) : free;
  const movable = (id: string): SolverPod | undefined =>
    free.get(id) ?? (relocator?.has(id) === true ? pods.get(id) : undefined);
  const at = new Map(state.bindings.map((b, i) => [b.pod, i]));
  const fresh = state.bins.filter((b) => b.isNew && b.current).sort((a, b) => priceOf(b) - priceOf(a));
  // Room over all bins, counted again only after moves change it.
  let total = totalRoom(state.bins);
  for (const bin of fresh) {
    if (!timeLeft()) return;
    const elsewhere: Res = { ...total };
    addInto(elsewhere, roomOf(bin), -1);
    if (!worthTrying(bin, elsewhere)) continue;
    const candidates = bin.pods
      .map(movable)
      .filter((p): p is SolverPod => p !== undefined)
      .sort((a, b) => b.requests.cpu - a.requests.cpu || b.requests.mem - a.requests.mem);
    const moves = movesFor(state, bin, candidates, relocator);
    for (const [pod, to] of moves) {
      bin.remove([pod.id], pod.requests);
      to.add([pod.id], pod.requests, to.accepts(pod, state.placementKey(pod), state.input.catalog));
      const binding = state.bindings[at.get(pod.id) ?? -1];
      if (binding) binding.node = to.name;
    }
    if (moves.length > 0) total = totalRoom(state.bins);
  }
}
