/** Binary searches over prefix lengths, as Karpenter's multi-node consolidation runs them. Pure. */

/**
 * Narrows `b` by binary search to the largest k in [lo, hi] for which `ok(k)` holds. With `stop`, it
 * may stop between two tests, its bounds where it stands, and go on from them when called again.
 * Whether the search ended.
 */
export function narrow(
  b: { lo: number; hi: number },
  ok: (k: number) => boolean,
  stop?: () => boolean,
): boolean {
  while (b.lo <= b.hi) {
    if (stop?.() === true) return false;
    const mid = Math.floor((b.lo + b.hi) / 2);
    if (ok(mid)) b.lo = mid + 1;
    else b.hi = mid - 1;
  }
  return true;
}

/** The largest k in [from, n] for which `ok(k)` holds, by binary search (0 when none does). */
export function longestPrefix(n: number, from: number, ok: (k: number) => boolean): number {
  let best = 0;
  narrow({ lo: from, hi: n }, (k) => {
    if (!ok(k)) return false;
    best = k;
    return true;
  });
  return best;
}
