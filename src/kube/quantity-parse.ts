/**
 * Kubernetes resource quantities parsed exactly as k8s.io/apimachinery's ParseQuantity does:
 *
 *   <quantity> ::= <sign>? <number> <suffix>     <number> ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>   ::= <binarySI> | <decimalSI> | <decimalExponent>
 *   <binarySI> ::= Ki | Mi | Gi | Ti | Pi | Ei    <decimalSI> ::= n | u | m | "" | k | M | G | T | P | E
 *   <decimalExponent> ::= ("e" | "E") <sign>? <digits>
 *
 * with its edge cases: `E` alone is exa (10^18) and `1E3` an exponent; a lone sign or `.` is zero
 * (its scanner finds no digits); the exponent is read as an int64 and then truncated to int32; the
 * value is exact and rounded away from zero to a whole nano unit; a binary-suffixed value is capped at
 * ±(2^63−1), a decimal one is not. Arithmetic is on BigInt, so nothing is lost to floating point.
 */

const DECIMAL_SI: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SI: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = 'eEinumkKMGTP';
const MAX_INT64 = 2n ** 63n - 1n;
/** Past this many decimal digits a value is beyond any float: its number is ±Infinity. */
const HUGE_DIGITS = 330;

/**
 * The exact value in nano units (value × 10^9, rounded away from zero), or ±Infinity when it has more
 * than HUGE_DIGITS digits (a decimal exponent in the millions: kept out of BigInt, which would need
 * megabytes for it).
 */
export type Nanos = bigint | number;

interface Scanned {
  negative: boolean;
  /** Integer digits, leading zeros stripped ('0' when none). */
  num: string;
  /** Fraction digits. */
  denom: string;
  suffix: string;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The scanner of parseQuantityString: sign, digits, fraction, then the suffix; null when malformed. */
function scan(str: string): Scanned | null {
  let pos = 0;
  let negative = false;
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-';
    pos = 1;
  }
  while (str[pos] === '0') pos++;
  const numStart = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    const denomStart = ++pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos] as string)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < str.length) return null;
  return { negative, num, denom, suffix: str.slice(suffixStart) };
}

/** Base and exponent of a suffix (10^e or 2^e), and whether it is binary; null when it is none. */
function interpret(suffix: string): { exponent: number; binary: boolean } | null {
  const dec = DECIMAL_SI[suffix];
  if (dec !== undefined) return { exponent: dec, binary: false };
  const bin = BINARY_SI[suffix];
  if (bin !== undefined) return { exponent: bin, binary: true };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const digits = suffix.slice(1);
    if (!/^[+-]?\d+$/.test(digits)) return null;
    const parsed = BigInt(digits);
    if (parsed > MAX_INT64 || parsed < -MAX_INT64 - 1n) return null; // strconv.ParseInt's range
    return { exponent: Number(BigInt.asIntN(32, parsed)), binary: false };
  }
  return null;
}

/** ceil(a / b) for a ≥ 0, b > 0. */
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

function magnitude(scanned: Scanned, exponent: number, binary: boolean): Nanos {
  // Trailing zeros of the fraction change nothing; an integer part this long is past every cap.
  const s = { ...scanned, denom: scanned.denom.replace(/0+$/, '') };
  if (s.num === '0' && s.denom === '') return 0n;
  if (s.num.length > HUGE_DIGITS) return binary ? MAX_INT64 * 10n ** 9n : Number.POSITIVE_INFINITY;
  const digits = BigInt(s.num + s.denom);
  if (binary) {
    // value = digits / 10^len(denom) × 2^exponent, in nanos, rounded up; capped at 2^63−1 units.
    const scaled = digits * 2n ** BigInt(exponent) * 10n ** 9n;
    const nanos = ceilDiv(scaled, 10n ** BigInt(s.denom.length));
    const cap = MAX_INT64 * 10n ** 9n;
    return nanos > cap ? cap : nanos;
  }
  // value = digits × 10^(exponent − len(denom)), in nanos: digits × 10^shift.
  const shift = exponent - s.denom.length + 9;
  const length = s.num.length + s.denom.length;
  if (shift + length > HUGE_DIGITS) return Number.POSITIVE_INFINITY;
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  if (-shift > length) return 1n; // below one nano unit: rounded up to it
  return ceilDiv(digits, 10n ** BigInt(-shift));
}

/** The quantity's exact value in nano units; null when the string is not a quantity. */
export function parseNanos(str: string): Nanos | null {
  if (str.length === 0) return null;
  const s = scan(str);
  if (!s) return null;
  const suffix = interpret(s.suffix);
  if (!suffix) return null;
  const m = magnitude(s, suffix.exponent, suffix.binary);
  if (!s.negative) return m;
  return typeof m === 'number' ? -m : -m;
}

/** Nano units as a number of base units (cores, bytes): exact below 2^53 nanos, the nearest float above. */
export function nanosToNumber(n: Nanos): number {
  if (typeof n === 'number') return n;
  const whole = n / 10n ** 9n;
  const frac = n % 10n ** 9n;
  return Number(whole) + Number(frac) / 1e9;
}
