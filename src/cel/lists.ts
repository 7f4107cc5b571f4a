/**
 * List functions Kubernetes enables: its own library (k8s.io/apiserver pkg/cel/library/lists.go:
 * isSorted, sum, min, max, indexOf, lastIndexOf) and cel-go's ext.Lists(ListsVersion(3)) (slice,
 * flatten, distinct, reverse, sort, first, last, lists.range). Equality and order are CEL's: numbers
 * compare across int, uint and double. Pure.
 */
import { Optional, type Environment } from '@marcbachmann/cel-js';
import { registerNamespace } from './namespace.js';
import { celTypeName } from './values.js';

type Num = bigint | number;
const isNum = (v: unknown): v is Num => typeof v === 'bigint' || typeof v === 'number';

function compareNumbers(a: Num, b: Num): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const ordered = <T extends string | boolean>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

/** CEL's order over comparable values (numbers across types, strings, bools, bytes, timestamps). */
export function compare(a: unknown, b: unknown): number {
  if (isNum(a) && isNum(b)) return compareNumbers(a, b);
  if (typeof a === 'string' && typeof b === 'string') return ordered(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return ordered(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  const ca = comparable(a);
  if (ca && ca.constructor === (b as object | null)?.constructor) return ca.compareTo(b);
  throw new Error('no such overload');
}

interface Comparable {
  compareTo(other: unknown): number;
}
const comparable = (v: unknown): Comparable | undefined =>
  typeof (v as Comparable | null)?.compareTo === 'function' ? (v as Comparable) : undefined;

function mapsEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && celEquals(a[k], b[k]));
}

/** CEL's equality (numbers across types, lists and maps deeply). */
export function celEquals(a: unknown, b: unknown): boolean {
  if (isNum(a) && isNum(b)) return compareNumbers(a, b) === 0;
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (isPlainMap(a) && isPlainMap(b)) return mapsEqual(a, b);
  if (a instanceof Uint8Array || a instanceof Date) return compareOrNot(a, b);
  const ca = comparable(a);
  return !!ca && ca.constructor === (b as object | null)?.constructor && ca.compareTo(b) === 0;
}

function compareOrNot(a: unknown, b: unknown): boolean {
  try {
    return compare(a, b) === 0;
  } catch {
    return false;
  }
}

const isPlainMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && v.constructor === Object;

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  let acc = list[0];
  for (let i = 1; i < list.length; i++) acc = add(acc, list[i]);
  return acc;
}

function add(a: unknown, b: unknown): unknown {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const r = a + b;
    if (r > 9223372036854775807n || r < -9223372036854775808n) throw new Error('integer overflow');
    return r;
  }
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const addable = a as { add?: (x: unknown) => unknown } | null;
  if (typeof addable?.add === 'function') return addable.add(b);
  throw new Error('no such overload');
}

function extreme(list: unknown[], sign: 1 | -1): unknown {
  if (list.length === 0) throw new Error(`${sign < 0 ? 'min' : 'max'}(list) argument must not be empty`);
  let best = list[0];
  for (const v of list.slice(1)) if (compare(v, best) * sign > 0) best = v;
  return best;
}

function slice(list: unknown[], start: bigint, end: bigint): unknown[] {
  if (start < 0n || end < 0n)
    throw new Error(`cannot slice(${start}, ${end}), negative indexes not supported`);
  if (start > end)
    throw new Error(`cannot slice(${start}, ${end}), start index must be less than or equal to end index`);
  if (end > BigInt(list.length))
    throw new Error(`cannot slice(${start}, ${end}), list is length ${list.length}`);
  return list.slice(Number(start), Number(end));
}

function flatten(list: unknown[], depth: bigint): unknown[] {
  if (depth < 0n) throw new Error('level must be non-negative');
  const out: unknown[] = [];
  for (const v of list) {
    if (Array.isArray(v) && depth > 0n) out.push(...flatten(v, depth - 1n));
    else out.push(v);
  }
  return out;
}

function distinct(list: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) if (!out.some((x) => celEquals(x, v))) out.push(v);
  return out;
}

function sorted(list: unknown[]): unknown[] {
  const types = new Set(list.map(celTypeName));
  if (types.size > 1) throw new Error('list elements must have the same type');
  return [...list].sort(compare);
}

function isSorted(list: unknown[]): boolean {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1], list[i]) > 0) return false;
  return true;
}

const indexOf = (list: unknown[], v: unknown): bigint => BigInt(list.findIndex((x) => celEquals(x, v)));
function lastIndexOf(list: unknown[], v: unknown): bigint {
  for (let i = list.length - 1; i >= 0; i--) if (celEquals(list[i], v)) return BigInt(i);
  return -1n;
}

export function registerLists(env: Environment): Environment {
  const out = env
    .registerFunction('list.isSorted(): bool', isSorted)
    .registerFunction('list.sum(): dyn', sum)
    .registerFunction('list.min(): dyn', (l: unknown[]) => extreme(l, -1))
    .registerFunction('list.max(): dyn', (l: unknown[]) => extreme(l, 1))
    .registerFunction('list.indexOf(dyn): int', indexOf)
    .registerFunction('list.lastIndexOf(dyn): int', lastIndexOf)
    .registerFunction('list.slice(int, int): list', slice)
    .registerFunction('list.flatten(): list', (l: unknown[]) => flatten(l, 1n))
    .registerFunction('list.flatten(int): list', flatten)
    .registerFunction('list.distinct(): list', distinct)
    .registerFunction('list.reverse(): list', (l: unknown[]) => [...l].reverse())
    .registerFunction('list.sort(): list', sorted)
    .registerFunction('list.first(): optional', (l: unknown[]) =>
      l.length > 0 ? Optional.of(l[0]) : Optional.none(),
    )
    .registerFunction('list.last(): optional', (l: unknown[]) =>
      l.length > 0 ? Optional.of(l[l.length - 1]) : Optional.none(),
    );
  return registerNamespace(out, 'ListsNamespace', 'lists').registerFunction(
    'ListsNamespace.range(int): list<int>',
    (_: unknown, n: bigint) => Array.from({ length: Number(n < 0n ? 0n : n) }, (_x, i) => BigInt(i)),
  );
}
