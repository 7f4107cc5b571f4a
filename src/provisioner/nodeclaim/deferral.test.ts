import { describe, expect, it } from 'vitest';
import { StatusDeferral } from './deferral.js';

describe('StatusDeferral', () => {
  it.each([
    // [busy at each look, ms between looks, whether each look holds the write]
    ['never busy: never held', [false, false], [false, false]],
    ['busy: held until maxMs has passed since the first hold', [true, true, true], [true, true, false]],
    ['busy, then not: released at once', [true, false], [true, false]],
    ['not busy in between: the wait starts afresh', [true, false, true, true], [true, false, true, true]],
  ])('%s', (_name, busy, held) => {
    const d = new StatusDeferral(1000);
    let now = 0;
    const got = busy.map((b) => {
      const h = d.holds('c', b, now);
      now += 500;
      return h;
    });
    expect(got).toEqual(held);
  });

  it('done and retain forget a claim: its next wait starts afresh', () => {
    const d = new StatusDeferral(1000);
    for (const c of ['a', 'b', 'c']) d.holds(c, true, 0);
    d.done('a');
    d.retain(new Set(['a', 'c']));
    expect(d.holds('a', true, 5000)).toBe(true); // done: a fresh wait
    expect(d.holds('b', true, 5000)).toBe(true); // not retained: a fresh wait
    expect(d.holds('c', true, 5000)).toBe(false); // still waiting since 0: past maxMs
  });
});
