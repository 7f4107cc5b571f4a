/**
 * The LP relaxation behind the solver's lower bound and its sense of value: buy fractional nodes of any
 * type so that their capacity covers the demand, at least cost. Solved through its dual — maximise
 * demand·y subject to capacity_t·y ≤ price_t — whose optimum y prices each resource (USD/h per
 * millicore, per MiB, per pod slot, per GPU). A dense simplex is enough: dominated types are dropped
 * first, and there is one dual variable per resource demanded.
 */
import { DIMS, ZERO, type Res } from './resources.js';

export interface LpItem {
  readonly cap: Res;
  readonly price: number;
}

export interface LpResult {
  /** The least cost of fractional capacity covering the demand (the lower bound). */
  readonly cost: number;
  /** Shadow price of each resource. */
  readonly y: Res;
  /** false when some demanded resource is offered by no item. */
  readonly feasible: boolean;
}

const EPS = 1e-9;

function dominated(a: LpItem, b: LpItem): boolean {
  if (b.price > a.price) return false;
  let better = b.price < a.price;
  for (const d of DIMS) {
    if (b.cap[d] < a.cap[d]) return false;
    if (b.cap[d] > a.cap[d]) better = true;
  }
  return better;
}

/** Items no other item beats on price and every resource at once. */
export function undominated(items: readonly LpItem[]): LpItem[] {
  const sorted = [...items].sort((a, b) => a.price - b.price);
  const kept: LpItem[] = [];
  for (const it of sorted) if (!kept.some((k) => dominated(it, k))) kept.push(it);
  return kept;
}

/** Entering column: Bland's rule (the lowest index with a negative reduced cost) — never cycles. */
function entering(z: Float64Array, width: number): number {
  for (let j = 0; j < width; j++) if ((z[j] ?? 0) < -EPS) return j;
  return -1;
}

function leaving(rows: Float64Array[], col: number, rhs: number): number {
  let best = -1;
  let ratio = Number.POSITIVE_INFINITY;
  rows.forEach((row, i) => {
    const a = row[col] ?? 0;
    if (a <= EPS) return;
    const r = (row[rhs] ?? 0) / a;
    if (r < ratio - EPS) {
      ratio = r;
      best = i;
    }
  });
  return best;
}

function pivot(rows: Float64Array[], z: Float64Array, pr: number, col: number): void {
  const p = rows[pr];
  if (!p) return;
  const k = p[col] ?? 1;
  for (let j = 0; j < p.length; j++) p[j] = (p[j] ?? 0) / k;
  const eliminate = (row: Float64Array): void => {
    const f = row[col] ?? 0;
    if (Math.abs(f) <= EPS) return;
    for (let j = 0; j < row.length; j++) row[j] = (row[j] ?? 0) - f * (p[j] ?? 0);
  };
  rows.forEach((row, i) => {
    if (i !== pr) eliminate(row);
  });
  eliminate(z);
}

export function solveLp(demand: Res, items: readonly LpItem[]): LpResult {
  const dims = DIMS.filter((d) => demand[d] > 0);
  const zero: Res = { ...ZERO };
  if (dims.length === 0) return { cost: 0, y: zero, feasible: true };
  const kept = undominated(items.filter((i) => i.price > 0));
  if (dims.some((d) => !kept.some((i) => i.cap[d] > 0))) return { cost: 0, y: zero, feasible: false };
  const m = dims.length;
  const n = kept.length;
  const width = m + n;
  // Scale each resource to demand 1 so that the tableau is well conditioned.
  const rows = kept.map((it, i) => {
    const row = new Float64Array(width + 1);
    dims.forEach((d, r) => (row[r] = it.cap[d] * 1 * (demand[d] > 0 ? 1 / demand[d] : 0)));
    row[m + i] = 1;
    row[width] = it.price;
    return row;
  });
  const z = new Float64Array(width + 1);
  for (let r = 0; r < m; r++) z[r] = -1;
  const basis = kept.map((_, i) => m + i);
  for (let iter = 0; iter < 50 * (m + n); iter++) {
    const col = entering(z, width);
    if (col < 0) break;
    const pr = leaving(rows, col, width);
    if (pr < 0) break; // unbounded dual: the demand cannot be covered (guarded above)
    pivot(rows, z, pr, col);
    basis[pr] = col;
  }
  const y: Res = { ...zero };
  basis.forEach((b, i) => {
    const d = dims[b];
    if (b < m && d) y[d] = (rows[i]?.[width] ?? 0) / demand[d];
  });
  return { cost: z[width] ?? 0, y, feasible: true };
}

/** The value of a resource vector at shadow prices y. */
export function valueOf(y: Readonly<Res>, r: Readonly<Res>): number {
  return (
    y.cpu * r.cpu +
    y.mem * r.mem +
    y.pods * r.pods +
    y.gpu * r.gpu +
    y.eph * r.eph +
    y.amd * r.amd +
    y.neuron * r.neuron +
    y.core * r.core
  );
}
