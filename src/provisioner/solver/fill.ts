/**
 * How one node is filled from a class's shapes: a proportional slice of every shape, so that the node
 * looks like the whole demand, then the L2-norm greedy top-up (the pod that leaves the smallest
 * normalised residual), so that it ends both full and balanced.
 */
import type { SolverPod } from './model.js';
import { addInto, fitsIn, largerFirst, sub, ZERO, type Res } from './resources.js';
import type { PodTopology } from './topology.js';

export interface Shape {
  readonly key: string;
  readonly req: Res;
  readonly topo: PodTopology;
  /** Pods still to place (taken from the end). */
  readonly pods: SolverPod[];
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
 * leaves the candidates for good: the loop shrinks as the node fills. Runs of one shape are taken
 * at once (runLength): the same choices, one scan per run instead of one per pod.
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
  const scores = new Float64Array(shapes.length);
  const free = sub(cap, u);
  for (;;) {
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
      scores[i] = v;
      if (v > bestScore || (v === bestScore && i < best)) [bestScore, best] = [v, i];
      j += 1;
    }
    const s = shapes[best];
    if (!s) return;
    const k = runLength(s, best, { shapes, active, scores, free, inv }, s.pods.length - (take[best] ?? 0));
    take[best] = (take[best] ?? 0) + k;
    addInto(u, s.req, k);
    addInto(free, s.req, -k);
  }
}

interface Scan {
  shapes: readonly Shape[];
  active: readonly number[];
  scores: Float64Array;
  free: Readonly<Res>;
  inv: Readonly<Res>;
}

/** Σ_d r_d·q_d·inv_d²: how much taking one pod of q lowers the score of a pod of r (twice over). */
function cross(r: Readonly<Res>, q: Readonly<Res>, inv: Readonly<Res>): number {
  return (
    r.cpu * q.cpu * inv.cpu * inv.cpu +
    r.mem * q.mem * inv.mem * inv.mem +
    r.pods * q.pods * inv.pods * inv.pods +
    r.gpu * q.gpu * inv.gpu * inv.gpu +
    r.eph * q.eph * inv.eph * inv.eph +
    r.amd * q.amd * inv.amd * inv.amd +
    r.neuron * q.neuron * inv.neuron * inv.neuron +
    r.core * q.core * inv.core * inv.core
  );
}

const times = (have: number, need: number): number =>
  need > 0 ? Math.floor(have / need) : Number.POSITIVE_INFINITY;

/** How many pods of q fit in `free`. */
function copiesIn(q: Readonly<Res>, free: Readonly<Res>): number {
  return Math.min(
    times(free.cpu, q.cpu),
    times(free.mem, q.mem),
    times(free.pods, q.pods),
    times(free.gpu, q.gpu),
    times(free.eph, q.eph),
    times(free.amd, q.amd),
    times(free.neuron, q.neuron),
    times(free.core, q.core),
  );
}

/**
 * How many pods of the chosen shape b the greedy would take in a row: each pod of b lowers b's score
 * by 2·cross(b, b) and another shape's by 2·cross(s, b), so b stays first while the gap lasts. One
 * step of margin keeps float rounding from deciding a near tie; the next scan decides it exactly.
 */
function runLength(b: Shape, bi: number, scan: Scan, left: number): number {
  let k = Math.min(left, copiesIn(b.req, scan.free));
  if (k <= 2) return 1;
  const own = cross(b.req, b.req, scan.inv);
  const top = scan.scores[bi] ?? 0;
  for (const i of scan.active) {
    const s = scan.shapes[i];
    if (i === bi || !s) continue;
    const closing = 2 * (own - cross(s.req, b.req, scan.inv));
    if (closing <= 0) continue;
    const steps = Math.floor((top - (scan.scores[i] ?? 0)) / closing);
    k = Math.min(k, steps);
    if (k <= 1) return 1;
  }
  return k;
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

/** Both ways of filling (with and without the slice): which packs better depends on the mix. */
export const SLICES = [true, false] as const;

/**
 * A node that is there, filled with the larger pods first (first fit decreasing, as Karpenter's
 * scheduler offers its pods, largest CPU and memory first, to the nodes that exist): a hole only a
 * large pod fits in is not given to small ones while a large one waits. The balanced fill above is
 * for nodes still to be chosen and for claims in flight, sized by it; on a node that exists it let the
 * first small pods of a workload coming back take the holes its large pods had left, and bought nodes
 * for those (bench:cluster's churn).
 */
export function fillLargestFirst(
  cap: Readonly<Res>,
  used: Readonly<Res>,
  shapes: readonly Shape[],
): number[] {
  const free = sub(cap, used);
  const take = shapes.map(() => 0);
  const order = shapes
    .map((_, i) => i)
    .sort((i, j) => largerFirst((shapes[i] as Shape).req, (shapes[j] as Shape).req));
  for (const i of order) {
    const s = shapes[i] as Shape;
    const k = Math.min(s.pods.length, copiesIn(s.req, free));
    if (k <= 0) continue;
    take[i] = k;
    addInto(free, s.req, -k);
  }
  return take;
}
