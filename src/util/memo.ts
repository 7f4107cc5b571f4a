/** Small bounded memo tables for pure computations over immutable inputs (views, catalogs). */

/** Get-or-compute in a bounded map (cleared when it grows past `max`). */
export function memo<T>(cache: Map<string, T>, key: string, max: number, compute: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (cache.size >= max) cache.clear();
  const value = compute();
  cache.set(key, value);
  return value;
}

/** A Map or a WeakMap, as mapFor reads and fills it. */
interface Table<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
}

/** The table held under a key (created on first use; in a WeakMap, dropped with its owner). */
export function mapFor<K, T>(owner: Table<K, Map<string, T>>, key: K): Map<string, T> {
  let map = owner.get(key);
  if (!map) owner.set(key, (map = new Map<string, T>()));
  return map;
}

/** A value derived from an owner object, computed once per owner. */
export function derived<K extends object, T>(cache: WeakMap<K, T>, owner: K, compute: () => T): T {
  const hit = cache.get(owner);
  if (hit !== undefined || cache.has(owner)) return hit as T;
  const value = compute();
  cache.set(owner, value);
  return value;
}
