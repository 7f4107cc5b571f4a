import { describe, expect, it } from 'vitest';
import { solveLp, undominated, valueOf } from './lp.js';
import { res } from './resources.js';

describe('solveLp', () => {
  it('covers one resource with the cheapest per unit', () => {
    const r = solveLp(res(10_000, 0, 0), [
      { cap: res(2000, 4096, 10), price: 0.1 },
      { cap: res(4000, 8192, 20), price: 0.18 },
    ]);
    expect(r.feasible).toBe(true);
    expect(r.cost).toBeCloseTo(0.45, 6);
    expect(r.y.cpu).toBeCloseTo(0.18 / 4000, 9);
  });

  it('mixes a cpu-rich and a memory-rich type to match the demand exactly', () => {
    const c = { cap: res(4000, 8000, 100), price: 1 };
    const r8 = { cap: res(1000, 8000, 100), price: 0.5 };
    const demand = res(8000, 24_000, 0);
    const out = solveLp(demand, [c, r8]);
    // 2 c cover the cpu (and 16000 MiB), 1 r covers the remaining 8000 MiB: 2.5 at most; LP finds
    // x_c + x_r/4... solve: 4000c + 1000r ≥ 8000, 8000c + 8000r ≥ 24000 → c = 5/3, r = 4/3.
    expect(out.cost).toBeCloseTo(5 / 3 + 4 / 3 / 2, 6);
    // Dual feasibility: no type is worth more than it costs at the shadow prices.
    expect(valueOf(out.y, c.cap)).toBeLessThanOrEqual(1 + 1e-9);
    expect(valueOf(out.y, r8.cap)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(valueOf(out.y, demand)).toBeCloseTo(out.cost, 6);
  });

  it('says when no item offers a demanded resource', () => {
    expect(solveLp(res(1000, 0, 0, 1), [{ cap: res(4000, 8000, 10), price: 1 }]).feasible).toBe(false);
  });

  it('drops dominated items', () => {
    const a = { cap: res(2000, 4096, 10), price: 0.1 };
    const worse = { cap: res(2000, 2048, 10), price: 0.2 };
    expect(undominated([worse, a])).toEqual([a]);
  });
});
