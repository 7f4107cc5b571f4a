/**
 * Packing of pods without inter-pod constraints, by class (same node requirements and tolerations) and
 * shape (same requests and labels). Each node is filled by the dot-product rule — the pod whose needs
 * best match what the node has left — and the node's type is chosen for value: the LP's shadow prices
 * say what a node's contents are worth, and the type that fills to the best worth per dollar wins.
 */
import { Bin, narrow, wholePool, type PoolState } from './bin.js';
import { solveLp, valueOf } from './lp.js';
import type { SolverPod } from './model.js';
import { withinLimits, type TypeOption } from './pools.js';
import { addInto, fitsIn, fitsWith, sub, ZERO, type Res } from './resources.js';
import type { SolverState } from './state.js';
import type { PodTopology } from './topology.js';
import { untoleratedTaint } from '../../scheduling/taints.js';
import { LABEL } from '../../catalog/instance-type.js';

export interface Shape {
  readonly key: string;
  readonly req: Res;
  readonly topo: PodTopology;
  /** Pods still to place (taken from the end). */
  readonly pods: SolverPod[];
}

export interface FreeClass {
  readonly sample: SolverPod;
  readonly shapes: Shape[];
}

const CANDIDATES = 8;
const SLICES = [true, false] as const;

function remaining(c: FreeClass): number {
  return c.shapes.reduce((n, s) => n + s.pods.length, 0);
}

function demandOf(c: FreeClass): Res {
  const d: Res = { ...ZERO };
  for (const s of c.shapes) addInto(d, s.req, s.pods.length);
  return d;
}

const inverse = (c: number): number => (c > 0 ? 1 / c : 0);

/** Minus the squared normalised residual a pod of `r` would leave. */
function score(r: Readonly<Res>, free: Readonly<Res>, inv: Readonly<Res>): number {
  const rc = (free.cpu - r.cpu) * inv.cpu;
  const rm = (free.mem - r.mem) * inv.mem;
  const rp = (free.pods - r.pods) * inv.pods;
  const rg = (free.gpu - r.gpu) * inv.gpu;
  const re = (free.eph - r.eph) * inv.eph;
  const ra = (free.amd - r.amd) * inv.amd;
  const rn = (free.neuron - r.neuron) * inv.neuron;
  const rk = (free.core - r.core) * inv.core;
  return -(rc * rc + rm * rm + rp * rp + rg * rg + re * re + ra * ra + rn * rn + rk * rk);
}

/**
 * The L2-norm greedy: one pod at a time, the shape that leaves the smallest normalised residual (ties
 * to the lower index). A shape that no longer fits never fits again (the node only fills), so it
 * leaves the candidates for good: the loop shrinks as the node fills.
 */
function topUp(cap: Readonly<Res>, u: Res, shapes: readonly Shape[], take: number[]): void {
  const inv: Res = {
    cpu: inverse(cap.cpu),
    mem: inverse(cap.mem),
    pods: inverse(cap.pods),
    gpu: inverse(cap.gpu),
    eph: inverse(cap.eph),
    amd: inverse(cap.amd),
    neuron: inverse(cap.neuron),
    core: inverse(cap.core),
  };
  const active = shapes.map((_, i) => i);
  for (;;) {
    const free = sub(cap, u);
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < active.length;) {
      const i = active[j] ?? 0;
      const s = shapes[i];
      if (!s || s.pods.length - (take[i] ?? 0) <= 0 || !fitsIn(s.req, free)) {
        active[j] = active[active.length - 1] ?? 0;
        active.pop();
        continue;
      }
      const v = score(s.req, free, inv);
      if (v > bestScore || (v === bestScore && i < best)) [bestScore, best] = [v, i];
      j += 1;
    }
    const s = shapes[best];
    if (!s) return;
    take[best] = (take[best] ?? 0) + 1;
    addInto(u, s.req, 1);
  }
}

/**
 * Fill: first (with `slice`) a proportional slice of every shape, so that the node looks like the
 * whole demand and no node is left with the awkward pods at the end; then an L2-norm greedy top-up:
 * the pod that leaves the smallest normalised residual, so that the node ends both full and balanced.
 * Without the slice the greedy alone fills the node, which packs mixes of many small shapes tighter.
 */
export function fill(
  cap: Readonly<Res>,
  used: Readonly<Res>,
  shapes: readonly Shape[],
  slice = true,
): { take: number[]; used: Res } {
  const u: Res = { ...used };
  const take = shapes.map(() => 0);
  const demand: Res = { ...ZERO };
  for (const s of shapes) addInto(demand, s.req, s.pods.length);
  let f = 1;
  for (const d of ['cpu', 'mem', 'pods', 'gpu'] as const)
    if (demand[d] > 0) f = Math.min(f, (cap[d] - u[d]) / demand[d]);
  if (slice && f > 0) {
    shapes.forEach((s, i) => {
      const k = Math.floor(s.pods.length * f);
      take[i] = k;
      addInto(u, s.req, k);
    });
  }
  topUp(cap, u, shapes, take);
  return { take, used: u };
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
  return withinLimits(pool.option, t.type, {
    cpu: pool.reserved.cpu - (bin.current?.type.capacity.cpuMillis ?? 0),
    mem: pool.reserved.mem - (bin.current?.type.capacity.memoryMiB ?? 0),
  });
}

/** The type a bin should grow to: the best worth per dollar at shadow prices y among those holding it. */
function target(bin: Bin, types: readonly TypeOption[], y: Res): TypeOption | undefined {
  let best: TypeOption | undefined;
  let bestE = Number.NEGATIVE_INFINITY;
  for (const t of types) {
    if (!fitsWith(t.cap, bin.used, ZERO) || !affordable(bin, t)) continue;
    const e = valueOf(y, t.cap) / t.price;
    if (e > bestE * 1.0001 || (e >= bestE / 1.0001 && best && t.cap.cpu > best.cap.cpu)) {
      best = t;
      bestE = Math.max(bestE, e);
    }
  }
  return best;
}

function fillOpenBins(state: SolverState, c: FreeClass, y: Res): void {
  const key = state.placementKey(c.sample);
  for (const bin of state.bins) {
    if (remaining(c) === 0) return;
    const n = bin.accepts(c.sample, key, state.input.catalog);
    if (!n) continue;
    let cap: Res;
    if (bin.existing) cap = bin.existing.allocatable;
    else {
      const t = target(bin, n.types, y);
      if (!t) continue;
      cap = t.cap;
    }
    const { take } = fill(cap, bin.used, c.shapes);
    if (take.some((k) => k > 0)) commit(state, bin, c, take, n);
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

function cheapestHolding(types: readonly TypeOption[], used: Readonly<Res>): TypeOption | undefined {
  return types.find((t) => fitsWith(t.cap, used, ZERO));
}

export interface Trial {
  option: Option;
  take: number[];
  score: number;
  pods: number;
  bought: TypeOption;
}

type Reserved = ReadonlyMap<PoolState, { cpu: number; mem: number }>;

/** An option's types by worth per dollar at shadow prices y: the same for every bin of a class. */
const rankings = new WeakMap<readonly TypeOption[], { y: Res; top: readonly TypeOption[] }>();

function topTypes(types: readonly TypeOption[], y: Res): readonly TypeOption[] {
  const hit = rankings.get(types);
  if (hit?.y === y) return hit.top;
  const top = [...types]
    .sort((a, b) => valueOf(y, b.cap) / b.price - valueOf(y, a.cap) / a.price || b.cap.cpu - a.cap.cpu)
    .slice(0, CANDIDATES);
  rankings.set(types, { y, top });
  return top;
}

/** The largest type of `t`'s family an option allows: the same pods cost the same per unit there, with more room. */
function largestOfFamily(types: readonly TypeOption[], t: TypeOption): TypeOption | undefined {
  const family = t.type.labels[LABEL.family];
  let top: TypeOption | undefined;
  for (const o of types)
    if (o.type.labels[LABEL.family] === family && (!top || o.cap.cpu > top.cap.cpu)) top = o;
  return top;
}

/**
 * The new node worth most per dollar at shadow prices y: each candidate type filled both ways (see
 * fill), then priced as the cheapest type that holds what it took. The candidates are the types worth
 * most at y and the one that holds the whole demand; then, once, the types those fills bought and the
 * largest of each bought family — a fill shaped for a type it did not buy leaves room on the one it
 * did, and a larger size of a family holds as many pods per dollar with fewer nodes. Ties go to the
 * node holding more pods.
 */
function bestTrial(options: readonly Option[], c: FreeClass, y: Res, reserved?: Reserved): Trial | undefined {
  const demand = demandOf(c);
  let best: Trial | undefined;
  for (const option of options) {
    const types = option.narrowed.types;
    const held = reserved?.get(option.pool) ?? option.pool.reserved;
    const tried = new Set<TypeOption>();
    const bought = new Set<TypeOption>();
    const consider = (t: TypeOption): void => {
      if (tried.has(t)) return;
      tried.add(t);
      for (const slice of SLICES) {
        const { take, used } = fill(t.cap, ZERO, c.shapes, slice);
        const pods = take.reduce((a, b) => a + b, 0);
        const b = cheapestHolding(types, used);
        if (pods === 0 || !b || !withinLimits(option.pool.option, b.type, held)) continue;
        bought.add(b);
        const score = valueOf(y, used) / b.price;
        if (!best || score > best.score * 1.000001 || (score >= best.score / 1.000001 && pods > best.pods))
          best = { option, take, score, pods, bought: b };
      }
    };
    for (const t of topTypes(types, y)) consider(t);
    const whole = cheapestHolding(types, demand);
    if (whole) consider(whole);
    for (const b of [...bought]) {
      consider(b);
      const top = largestOfFamily(types, b);
      if (top) consider(top);
    }
  }
  return best;
}

/** The new bins a class would open for its remaining pods, and what they cost; nothing is changed. */
export function simulate(
  options: readonly Option[],
  c: FreeClass,
  y: Res,
  reserved: Map<PoolState, { cpu: number; mem: number }>,
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
    held.cpu += trial.bought.type.capacity.cpuMillis;
    held.mem += trial.bought.type.capacity.memoryMiB;
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
  fillOpenBins(state, c, y);
  const bins: Bin[] = [];
  while (remaining(c) > 0) {
    const trial = bestTrial(options, c, y);
    if (!trial) break;
    bins.push(...open(state, c, [trial]));
  }
  return { c, options, y, bins };
}
