import { describe, expect, it } from 'vitest';
import { jsonEqual } from './json-equal.js';

describe('jsonEqual', () => {
  it.each([
    { case: 'same number', a: 1, b: 1, want: true },
    { case: 'number and string', a: 1, b: '1', want: false },
    { case: 'null and object', a: null, b: {}, want: false },
    { case: 'null and null', a: null, b: null, want: true },
    { case: 'key order ignored', a: { x: 1, y: [1, 2] }, b: { y: [1, 2], x: 1 }, want: true },
    { case: 'array order kept', a: [1, 2], b: [2, 1], want: false },
    { case: 'array and object with index keys', a: [1], b: { 0: 1 }, want: false },
    { case: 'object and array', a: {}, b: [], want: false },
    { case: 'extra key', a: { x: 1 }, b: { x: 1, y: 2 }, want: false },
    { case: 'missing key', a: { x: 1, y: 2 }, b: { x: 1 }, want: false },
    { case: 'undefined key equals absent', a: { x: 1, y: undefined }, b: { x: 1 }, want: true },
    { case: 'absent equals undefined key', a: { x: 1 }, b: { x: 1, y: undefined }, want: true },
    { case: 'null is not absent', a: { x: null }, b: {}, want: false },
    { case: 'nested difference', a: { s: { m: { app: 'a' } } }, b: { s: { m: { app: 'b' } } }, want: false },
    {
      case: 'nested equal',
      a: { s: { m: { app: 'a' }, n: [{ k: 'v' }] } },
      b: { s: { n: [{ k: 'v' }], m: { app: 'a' } } },
      want: true,
    },
    { case: 'different lengths', a: [1, 2], b: [1, 2, 3], want: false },
  ])('$case', ({ a, b, want }) => {
    expect(jsonEqual(a, b)).toBe(want);
    expect(jsonEqual(b, a)).toBe(want);
  });

  it('agrees with comparing JSON texts of key-sorted values', () => {
    const sorted = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sorted)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([, x]) => x !== undefined)
                .sort(([x], [y]) => x.localeCompare(y))
                .map(([k, x]) => [k, sorted(x)]),
            )
          : v;
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const value = (depth: number): unknown => {
      const pick = rand(depth > 2 ? 3 : 5);
      if (pick === 0) return rand(3);
      if (pick === 1) return ['a', 'b', null][rand(3)];
      if (pick === 2) return rand(2) === 0 ? undefined : true;
      if (pick === 3) return Array.from({ length: rand(3) }, () => value(depth + 1) ?? null);
      return Object.fromEntries(
        Array.from({ length: rand(3) }, () => [['k', 'l', 'm'][rand(3)], value(depth + 1)]),
      );
    };
    for (let i = 0; i < 3000; i++) {
      const a = value(0);
      const b = value(0);
      expect(jsonEqual(a, b)).toBe(JSON.stringify(sorted(a)) === JSON.stringify(sorted(b)));
      expect(jsonEqual(a, structuredClone(a))).toBe(true);
    }
  });
});
