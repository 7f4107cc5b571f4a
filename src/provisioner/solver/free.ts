/**
 * Packing of pods without inter-pod constraints, by class (same node requirements and tolerations) and
 * shape (same requests and labels). Each node is filled by the dot-product rule — the pod whose needs
 * best match what the node has left — and the node's type is chosen for value: the LP's shadow prices
 * say what a node's contents are worth, and the type that fills to the best worth per dollar wins.
 */
import { Bin, narrow, wholePool, type PoolState } from './bin.js';
import { solveLp, valueOf } from './lp.js';
import { fill, fillLargestFirst, SLICES, type Shape } from './fill.js';
import type { SolverPod } from './model.js';
import { countType, withinLimits, type TypeOption, type Usage } from './pools.js';
import { addInto, fitsWith, resKey, ZERO, type Res } from './resources.js';
import type { SolverState } from './state.js';
import { cheapestHolding, exploreTypes, largestOfFamily } from './type-choice.js';
import { untoleratedTaint } from '../../scheduling/taints.js';

export type { Shape } from './fill.js';

export interface FreeClass {
  readonly sample: SolverPod;
  readonly shapes: Shape[];
}

function remaining(c: FreeClass): number {
  return c.shapes.reduce((n, s) => n + s.pods.length, 0);
}

function demandOf(c: FreeClass): Res {
  const d: Res = { ...ZERO };
  for (const s of c.shapes) addInto(d, s.req, s.pods.length);
  return d;
}

function commit(
  state: SolverState,
  bin: Bin,
  c: FreeClass,
  take: readonly number[],
  narrowed: Parameters<Bin['add']>[2],
): void {
  c.shapes.forEach((s, i) => {
    const k = take[i] ?? 0;
    if (k > 0) state.place(bin, s.pods.splice(s.pods.length - k, k), s.topo, narrowed);
  });
}

/** Whether growing a bin to type t keeps its pool within limits. */
function affordable(bin: Bin, t: TypeOption): boolean {
  const pool = bin.pool;
  if (!pool) return true;
  return withinLimits(pool.option, t.type, pool.reserved, bin.current?.type);
}

/**
 * What a new bin already in the plan takes of a class, if anything: each candidate type filled from
 * what the bin holds, priced as the cheapest type holding the result. Growing is worth it only at a
 * marginal worth per dollar (worth added at y over the price added) no lower than `floor`, a fresh
 * node's best: otherwise the pods are worth more on nodes of their own. Room already paid for is free.
 * The fresh node's best is the first and best-filled of its kind (later ones fill worse), hence the
 * slack: on Karpenter's scheduling mix a floor of 1.0 cost 2% more at 5,000 pods than 0.9.
 */
const GROWTH_SLACK = 0.9;

function growth(bin: Bin, types: readonly TypeOption[], shapes: readonly Shape[], y: Res, floor: number) {
  const base = valueOf(y, bin.used);
  const paid = bin.current?.price ?? 0;
  const current = bin.current && types.includes(bin.current) ? bin.current : undefined;
  let best: { take: number[]; rate: number; pods: number } | undefined;
  exploreTypes(types, y, [current, current && largestOfFamily(types, current)], (t) => {
    const bought: TypeOption[] = [];
    if (!fitsWith(t.cap, bin.used, ZERO)) return bought;
    for (const slice of SLICES) {
      const { take, used } = fill(t.cap, bin.used, shapes, slice);
      const pods = take.reduce((a, b) => a + b, 0);
      const b = cheapestHolding(types, used);
      if (pods === 0 || !b || !affordable(bin, b)) continue;
      bought.push(b);
      const extra = b.price - paid;
      const rate = extra <= 1e-9 ? Number.POSITIVE_INFINITY : (valueOf(y, used) - base) / extra;
      if (!best || rate > best.rate * 1.000001 || (rate >= best.rate / 1.000001 && pods > best.pods))
        best = { take, rate, pods };
    }
    return bought;
  });
  return best && best.rate >= floor * GROWTH_SLACK ? best.take : undefined;
}

/**
 * Offers the class to every bin of the plan in order. Growth's answer depends only on the bin's
 * types, current type and usage while the class is unchanged: new claims of one kind (a pod of an
 * anti-affinity group each) share it, so it is kept until a bin takes pods.
 */
function fillOpenBins(state: SolverState, c: FreeClass, y: Res, floor: number): void {
  const key = state.placementKey(c.sample);
  // By the bin's type list (narrowed lists are shared by identity), then its type, pool and usage.
  const memo = new Map<readonly TypeOption[], Map<string, number[] | undefined>>();
  for (const bin of state.bins) {
    if (remaining(c) === 0) return;
    const n = bin.accepts(c.sample, key, state.input.catalog);
    if (!n) continue;
    let take: number[] | undefined;
    if (bin.existing)
      take = bin.existing.inFlight
        ? fill(bin.existing.allocatable, bin.used, c.shapes).take
        : fillLargestFirst(bin.existing.allocatable, bin.used, c.shapes);
    else {
      let known = memo.get(n.types);
      if (!known) memo.set(n.types, (known = new Map<string, number[] | undefined>()));
      const k = `${bin.current?.type.name ?? ''}/${bin.pool?.option.view.name ?? ''}/${resKey(bin.used)}`;
      if (known.has(k)) take = known.get(k);
      else known.set(k, (take = growth(bin, n.types, c.shapes, y, floor)));
    }
    if (take?.some((k) => k > 0)) {
      commit(state, bin, c, take, n);
      memo.clear();
    }
  }
}

export interface Option {
  pool: PoolState;
  narrowed: NonNullable<ReturnType<typeof narrow>>;
}

/** Whether some instance type of the option holds one pod of the shape. */
const holds = (o: Option, s: Shape): boolean => o.narrowed.types.some((t) => fitsWith(t.cap, ZERO, s.req));

/**
 * The NodePools of the highest weight that can take the class, as Karpenter tries them: a pool whose
 * requirements match but none of whose types can hold the pods (a GPU pod and a CPU-only pool of
 * higher weight) does not stop the search. The first tier that holds every shape wins; failing that,
 * the first that holds some.
 */
function optionsFor(state: SolverState, c: FreeClass): Option[] {
  let partial: Option[] | undefined;
  for (const tier of state.tiers) {
    const out: Option[] = [];
    for (const pool of tier) {
      if (untoleratedTaint(pool.option.view.taints, c.sample.tolerations)) continue;
      const whole = wholePool(pool.option);
      for (const term of c.sample.terms) {
        const narrowed = narrow(pool.option, whole, term, state.input.catalog);
        if (narrowed && c.shapes.some((s) => holds({ pool, narrowed }, s))) {
          out.push({ pool, narrowed });
          break;
        }
      }
    }
    if (out.length === 0) continue;
    if (c.shapes.every((s) => out.some((o) => holds(o, s)))) return out;
    partial ??= out;
  }
  return partial ?? [];
}

export interface Trial {
  option: Option;
  take: number[];
  score: number;
  pods: number;
  bought: TypeOption;
}

type Reserved = ReadonlyMap<PoolState, Usage>;

/**
 * The greedy fill of an empty node (no slice) depends on the class's remaining pods only through the
 * shapes it runs out of: a fill that took no more of any shape than is left now is the fill it would
 * make now (the same choices in the same order). Kept per class and capacity, so that each new node
 * of a class is not filled again as every type.
 */
const greedyFills = new WeakMap<FreeClass, Map<Readonly<Res>, { take: number[]; used: Res }>>();

function emptyFill(c: FreeClass, cap: Readonly<Res>, slice: boolean): { take: number[]; used: Res } {
  if (slice) return fill(cap, ZERO, c.shapes, true);
  let memo = greedyFills.get(c);
  if (!memo) greedyFills.set(c, (memo = new Map<Readonly<Res>, { take: number[]; used: Res }>()));
  const hit = memo.get(cap);
  if (hit && c.shapes.every((s, i) => (hit.take[i] ?? 0) <= s.pods.length))
    return { take: [...hit.take], used: { ...hit.used } };
  const made = fill(cap, ZERO, c.shapes, false);
  memo.set(cap, { take: [...made.take], used: { ...made.used } });
  return made;
}

/**
 * The new node worth most per dollar at shadow prices y: each candidate type (type-choice.ts; the
 * type that holds the whole demand added) filled both ways, priced as the cheapest type that holds
 * what it took. Ties go to the node holding more pods.
 */
function bestTrial(options: readonly Option[], c: FreeClass, y: Res, reserved?: Reserved): Trial | undefined {
  const demand = demandOf(c);
  let best: Trial | undefined;
  for (const option of options) {
    const types = option.narrowed.types;
    const held = reserved?.get(option.pool) ?? option.pool.reserved;
    exploreTypes(types, y, [cheapestHolding(types, demand)], (t) => {
      const bought: TypeOption[] = [];
      for (const slice of SLICES) {
        const { take, used } = emptyFill(c, t.cap, slice);
        const pods = take.reduce((a, b) => a + b, 0);
        const b = cheapestHolding(types, used);
        if (pods === 0 || !b || !withinLimits(option.pool.option, b.type, held)) continue;
        bought.push(b);
        const score = valueOf(y, used) / b.price;
        if (!best || score > best.score * 1.000001 || (score >= best.score / 1.000001 && pods > best.pods))
          best = { option, take, score, pods, bought: b };
      }
      return bought;
    });
  }
  return best;
}

/** The new bins a class would open for its remaining pods, and what they cost; nothing is changed. */
export function simulate(
  options: readonly Option[],
  c: FreeClass,
  y: Res,
  reserved: Map<PoolState, Usage>,
): { trials: Trial[]; cost: number; placedAll: boolean } {
  const copy: FreeClass = { sample: c.sample, shapes: c.shapes.map((s) => ({ ...s, pods: [...s.pods] })) };
  const trials: Trial[] = [];
  let cost = 0;
  while (remaining(copy) > 0) {
    const trial = bestTrial(options, copy, y, reserved);
    if (!trial) break;
    trials.push(trial);
    cost += trial.bought.price;
    const held = reserved.get(trial.option.pool) ?? { ...trial.option.pool.reserved };
    countType(held, trial.bought.type, 1);
    reserved.set(trial.option.pool, held);
    copy.shapes.forEach((s, i) => s.pods.splice(s.pods.length - (trial.take[i] ?? 0), trial.take[i] ?? 0));
  }
  return { trials, cost, placedAll: remaining(copy) === 0 };
}

/** Opens a new bin for each trial, in order. */
export function open(state: SolverState, c: FreeClass, trials: readonly Trial[]): Bin[] {
  return trials.map((trial) => {
    const bin = Bin.claim(state.newName(), trial.option.pool, trial.option.narrowed);
    state.bins.push(bin);
    commit(state, bin, c, trial.take, trial.option.narrowed);
    return bin;
  });
}

export interface Packed {
  readonly c: FreeClass;
  readonly options: readonly Option[];
  readonly y: Res;
  /** New bins holding this class's pods only (the improvement phase may repack them). */
  readonly bins: Bin[];
}

/** Packs one class; the pods left in its shapes afterwards could not be placed. */
export function packClass(state: SolverState, c: FreeClass): Packed {
  const options = optionsFor(state, c);
  const items = options.flatMap((o) => o.narrowed.types.map((t) => ({ cap: t.cap, price: t.price })));
  const lp = solveLp(demandOf(c), items);
  const y = lp.feasible ? lp.y : { ...ZERO, cpu: 1 };
  const fresh = bestTrial(options, c, y);
  const before = remaining(c);
  fillOpenBins(state, c, y, fresh?.score ?? 0);
  // The fresh node's best still holds when the open bins took nothing (and the pools' usage is unchanged).
  let known = remaining(c) === before ? fresh : undefined;
  const bins: Bin[] = [];
  while (remaining(c) > 0) {
    const trial = known ?? bestTrial(options, c, y);
    known = undefined;
    if (!trial) break;
    bins.push(...open(state, c, [trial]));
  }
  return { c, options, y, bins };
}
