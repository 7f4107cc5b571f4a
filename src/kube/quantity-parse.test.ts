import { describe, expect, it } from 'vitest';
import { nanosToNumber, parseNanos } from './quantity-parse.js';
import { cpuMillis, humanMemory, memoryMiB } from './quantity.js';
import { seededRandom } from '../util/seeded.js';

const G = 10n ** 9n;
const MAX_INT64 = 2n ** 63n - 1n;

describe('parseNanos: what ParseQuantity answers (k8s.io/apimachinery)', () => {
  it.each<[string, bigint | number]>([
    ['0', 0n],
    ['1', G],
    ['500m', 500_000_000n],
    ['1.5Gi', 1536n * 2n ** 20n * G],
    ['1E', 10n ** 18n * G],
    ['1Ei', 2n ** 60n * G],
    ['1E3', 1000n * G],
    ['1e-3', 1_000_000n],
    ['1e+3', 1000n * G],
    ['.5', 500_000_000n],
    ['5.', 5n * G],
    ['1.G', G * G],
    ['007', 7n * G],
    ['-1.5', -1_500_000_000n],
    ['+2k', 2000n * G],
    ['0.9n', 1n], // rounded away from zero to a whole nano
    ['-0.1n', -1n],
    ['1.0000000001', G + 1n],
    ['8Ei', MAX_INT64 * G], // a binary suffix caps at 2^63-1
    ['16Ei', MAX_INT64 * G],
    ['18446744073709551616', 18446744073709551616n * G], // a decimal one does not
    ['+', 0n], // the scanner finds no digits: zero
    ['-', 0n],
    ['.', 0n],
    ['Mi', 0n], // likewise a suffix alone
    ['1e4294967296', G], // the exponent is truncated to int32: e0
    ['1e2147483648', 1n], // int32 wraps to -2^31: below a nano, rounded up
    ['1e400', Number.POSITIVE_INFINITY],
    ['-1e400', Number.NEGATIVE_INFINITY],
    [`1${'0'.repeat(400)}`, Number.POSITIVE_INFINITY],
    [`0.${'0'.repeat(5000)}`, 0n],
  ])('%s', (q, nanos) => {
    expect(parseNanos(q)).toBe(nanos);
  });

  it.each([
    '',
    '1K',
    '1k3',
    '1e',
    '1i',
    '1mi',
    '1Ki3',
    '1ee3',
    '1e3e',
    '1e3.5',
    '1.2.3',
    '1 Mi',
    ' 1',
    '1Q',
    '1e99999999999999999999',
    '--1',
    '0x10',
    '1_000',
  ])('refuses %j', (q) => {
    expect(parseNanos(q)).toBeNull();
  });
});

const DEC: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

interface Generated {
  text: string;
  /** The value as a fraction, then in nanos rounded away from zero, computed apart from the parser. */
  nanos: bigint;
}

function digits(r: () => number, max: number): string {
  const n = Math.floor(r() * max);
  return Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
}

/** A random string of the grammar and its value. */
function generate(r: () => number): Generated {
  const sign = ['', '+', '-'][Math.floor(r() * 3)] as string;
  let int = digits(r, 12);
  let frac = digits(r, 12);
  const form = Math.floor(r() * 4); // digits | digits.digits | digits. | .digits
  if (form === 0 || int === '') int ||= '1';
  if (form === 3 && frac === '') frac = '5';
  const number =
    form === 0 ? int : form === 1 ? `${int}.${frac || '0'}` : form === 2 ? `${int}.` : `.${frac}`;
  const fracUsed = form === 1 ? frac || '0' : form === 3 ? frac : '';
  const intUsed = form === 3 ? '' : int;
  const kind = Math.floor(r() * 3);
  let suffix: string;
  let numerator = BigInt(intUsed + fracUsed || '0');
  let denominator = 10n ** BigInt(fracUsed.length);
  let capped = false;
  if (kind === 0) {
    suffix = Object.keys(DEC)[Math.floor(r() * 10)] as string;
    const e = DEC[suffix] as number;
    if (e >= 0) numerator *= 10n ** BigInt(e);
    else denominator *= 10n ** BigInt(-e);
  } else if (kind === 1) {
    suffix = Object.keys(BIN)[Math.floor(r() * 6)] as string;
    numerator *= 2n ** BigInt(BIN[suffix] as number);
    capped = true;
  } else {
    const e = Math.floor(r() * 41) - 20;
    suffix = `${r() < 0.5 ? 'e' : 'E'}${e < 0 ? '-' : r() < 0.3 ? '+' : ''}${Math.abs(e)}`;
    if (e >= 0) numerator *= 10n ** BigInt(e);
    else denominator *= 10n ** BigInt(-e);
  }
  let nanos = (numerator * G + denominator - 1n) / denominator;
  if (capped && nanos > MAX_INT64 * G) nanos = MAX_INT64 * G;
  return { text: `${sign}${number}${suffix}`, nanos: sign === '-' ? -nanos : nanos };
}

describe('parseNanos against the quantity grammar (seeded property test)', () => {
  it('parses every string the grammar makes to its exact value', () => {
    const r = seededRandom(20261122);
    for (let i = 0; i < 20_000; i++) {
      const g = generate(r);
      expect(parseNanos(g.text), g.text).toBe(g.nanos === 0n ? 0n : g.nanos);
    }
  });

  it('refuses the grammar strings with a character the grammar has no place for', () => {
    const r = seededRandom(7);
    const alien = ['x', ' ', '_', ',', '/', 'Q', 'K', 'i'];
    for (let i = 0; i < 5_000; i++) {
      const g = generate(r);
      const at = 1 + Math.floor(r() * g.text.length);
      const text = `${g.text.slice(0, at)}${alien[i % alien.length] as string}${g.text.slice(at)}`;
      if (/^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/.test(text)) continue;
      expect(parseNanos(text), text).toBeNull();
    }
  });
});

describe('numbers from quantities', () => {
  it('keeps an exabyte an exabyte and an exbibyte finite', () => {
    expect(memoryMiB('1E')).toBe(1e18 / 2 ** 20);
    expect(memoryMiB('1Ei')).toBe(2 ** 40);
    expect(humanMemory(memoryMiB('1Ei') as number)).toBe('1Ei');
    expect(humanMemory(memoryMiB('1e400') as number)).toBe('more than 8Ei');
    expect(cpuMillis('1e-9')).toBe(1);
    expect(nanosToNumber(1_500_000_000n)).toBe(1.5);
  });
});
