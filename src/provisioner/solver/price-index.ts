/**
 * Look-ups over a list of instance types sorted cheapest first (a pool's, or a claim's narrowed
 * list): where a price starts, and whether any type up to a price is large enough at all. Placing a pod
 * with inter-pod constraints asks every claim of the plan whether it holds the pod within a price, and
 * these answer most of those questions without walking the list.
 */
import type { TypeOption } from './pools.js';

/** The index of the first of `types` that costs at least `price` (or more than it, with `above`). */
export function firstAtLeast(types: readonly TypeOption[], price: number, above = false): number {
  let lo = 0;
  let hi = types.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = (types[mid] as TypeOption).price;
    if (p < price || (above && p === price)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The largest CPU and memory among the first i + 1 types, for each i. */
interface Largest {
  cpu: Float64Array;
  mem: Float64Array;
}

const largest = new WeakMap<readonly TypeOption[], Largest>();

function largestOf(types: readonly TypeOption[]): Largest {
  const hit = largest.get(types);
  if (hit) return hit;
  const out = { cpu: new Float64Array(types.length), mem: new Float64Array(types.length) };
  let cpu = -Infinity;
  let mem = -Infinity;
  types.forEach((t, i) => {
    cpu = Math.max(cpu, t.cap.cpu);
    mem = Math.max(mem, t.cap.mem);
    out.cpu[i] = cpu;
    out.mem[i] = mem;
  });
  largest.set(types, out);
  return out;
}

/**
 * False when no type costing at most `maxPrice` has `cpu` and `mem` (each on some type: a necessary
 * condition only). A type that passes is still to be checked in full.
 */
export function mayHold(types: readonly TypeOption[], maxPrice: number, cpu: number, mem: number): boolean {
  if (maxPrice === Infinity) return true;
  const end = firstAtLeast(types, maxPrice, true) - 1;
  if (end < 0) return false;
  const l = largestOf(types);
  return (l.cpu[end] ?? 0) >= cpu && (l.mem[end] ?? 0) >= mem;
}
