/**
 * Kubernetes' quantity library (k8s.io/apiserver pkg/cel/library/quantity.go): `quantity(s)`,
 * `isQuantity(s)`, `sign(q)` and the members isGreaterThan, isLessThan, compareTo,
 * asApproximateFloat, asInteger, isInteger, add and sub (a quantity or an int). Values are exact
 * (nano units on BigInt), as resource.Quantity is. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { parseNanos } from '../kube/quantity-parse.js';

const NANO = 1_000_000_000n;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
/** resource.ErrFormatWrong, the error ParseQuantity returns. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export class Quantity {
  static readonly celType = 'kubernetes.Quantity';
  constructor(
    /** The value × 10^9, or ±Infinity past any float. */
    readonly nanos: bigint | number,
  ) {}

  compareTo(other: unknown): number {
    if (!(other instanceof Quantity)) throw new Error('no such overload');
    const a = this.nanos;
    const b = other.nanos;
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    return Math.sign(Number(a) - Number(b));
  }

  add(other: unknown): Quantity {
    return new Quantity(combine(this.nanos, other, 1n));
  }
}

function combine(a: bigint | number, other: unknown, sign: bigint): bigint | number {
  const b = other instanceof Quantity ? other.nanos : typeof other === 'bigint' ? other * NANO : undefined;
  if (b === undefined) throw new Error('no such overload');
  if (typeof a === 'bigint' && typeof b === 'bigint') return a + sign * b;
  return Number(a) + Number(sign) * Number(b);
}

// Policies parse the same few quantity strings on every review: each is parsed once (a bounded set).
const parsed = new Map<string, Quantity | null>();
const MAX_PARSED = 4096;

export function parseCelQuantity(s: string): Quantity {
  let q = parsed.get(s);
  if (q === undefined) {
    const nanos = parseNanos(s);
    q = nanos === null ? null : new Quantity(nanos);
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(s, q);
  }
  if (q === null) throw new Error(QUANTITY_FORMAT_ERROR);
  return q;
}

function asInteger(q: Quantity): bigint {
  const n = q.nanos;
  if (typeof n !== 'bigint' || n % NANO !== 0n || n / NANO > INT64_MAX || n / NANO < INT64_MIN)
    throw new Error('cannot convert value to integer');
  return n / NANO;
}

function isInteger(q: Quantity): boolean {
  const n = q.nanos;
  return typeof n === 'bigint' && n % NANO === 0n && n / NANO <= INT64_MAX && n / NANO >= INT64_MIN;
}

const sign = (q: Quantity): bigint => {
  const n = q.nanos;
  return BigInt(typeof n === 'bigint' ? (n > 0n ? 1 : n < 0n ? -1 : 0) : Math.sign(n));
};

export function registerQuantity(env: Environment): Environment {
  const T = Quantity.celType;
  return env
    .registerType(T, Quantity)
    .registerFunction(`quantity(string): ${T}`, parseCelQuantity)
    .registerFunction('isQuantity(string): bool', (s: string) => {
      try {
        parseCelQuantity(s);
        return true;
      } catch {
        return false;
      }
    })
    .registerFunction(`sign(${T}): int`, sign)
    .registerFunction(`${T}.isGreaterThan(${T}): bool`, (a: Quantity, b: Quantity) => a.compareTo(b) > 0)
    .registerFunction(`${T}.isLessThan(${T}): bool`, (a: Quantity, b: Quantity) => a.compareTo(b) < 0)
    .registerFunction(`${T}.compareTo(${T}): int`, (a: Quantity, b: Quantity) => BigInt(a.compareTo(b)))
    .registerFunction(`${T}.asApproximateFloat(): double`, (q: Quantity) => Number(q.nanos) / 1e9)
    .registerFunction(`${T}.asInteger(): int`, asInteger)
    .registerFunction(`${T}.isInteger(): bool`, isInteger)
    .registerFunction(`${T}.add(${T}): ${T}`, (a: Quantity, b: Quantity) => a.add(b))
    .registerFunction(`${T}.add(int): ${T}`, (a: Quantity, b: bigint) => a.add(b))
    .registerFunction(
      `${T}.sub(${T}): ${T}`,
      (a: Quantity, b: Quantity) => new Quantity(combine(a.nanos, b, -1n)),
    )
    .registerFunction(
      `${T}.sub(int): ${T}`,
      (a: Quantity, b: bigint) => new Quantity(combine(a.nanos, b, -1n)),
    );
}
