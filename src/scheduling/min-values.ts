/**
 * NodePool `minValues`: a requirement that a node's launch keep at least that many distinct values of
 * a key among the instance types it may become (flexibility for spot and capacity). Karpenter's default
 * policy is Strict: a pod whose compatible types cannot keep the minimum is not scheduled on that pool
 * (settings minValuesPolicy). Pure functions over types and the pool's requirements.
 */
import { LABEL, type InstanceType } from '../catalog/instance-type.js';
import type { PoolView } from './nodepool.js';

export interface MinValues {
  readonly key: string;
  readonly min: number;
}

const cache = new WeakMap<PoolView, readonly MinValues[]>();

/** The pool's requirements that carry minValues (none for most pools). */
export function minValuesOf(view: PoolView): readonly MinValues[] {
  let out = cache.get(view);
  if (!out) {
    out = (view.pool.spec.template.spec.requirements ?? []).flatMap((r) =>
      r.minValues !== undefined && r.minValues > 0 ? [{ key: r.key, min: r.minValues }] : [],
    );
    cache.set(view, out);
  }
  return out;
}

const valueOf = (t: InstanceType, key: string): string | undefined =>
  key === LABEL.instanceType ? t.name : t.labels[key];

/** The first minimum the types fall short of, with how many values they have; undefined when all hold. */
export function shortOf(
  types: readonly InstanceType[],
  mins: readonly MinValues[],
): { key: string; min: number; have: number } | undefined {
  for (const m of mins) {
    const values = new Set<string>();
    for (const t of types) {
      const v = valueOf(t, m.key);
      if (v !== undefined) values.add(v);
      if (values.size >= m.min) break;
    }
    if (values.size < m.min) return { ...m, have: values.size };
  }
  return undefined;
}

/**
 * Up to `count` types, cheapest first, that keep every minimum when the types can: first the cheapest
 * type of each value still missing, then the cheapest of the rest. `types` is sorted cheapest first.
 */
export function flexibleChoice<T extends { type: InstanceType }>(
  types: readonly T[],
  mins: readonly MinValues[],
  count: number,
): T[] {
  if (mins.length === 0) return types.slice(0, count);
  const chosen = new Set<T>();
  for (const m of mins) {
    const seen = new Set([...chosen].map((t) => valueOf(t.type, m.key)));
    for (const t of types) {
      if (seen.size >= m.min) break;
      const v = valueOf(t.type, m.key);
      if (v === undefined || seen.has(v)) continue;
      seen.add(v);
      chosen.add(t);
    }
  }
  for (const t of types) {
    if (chosen.size >= count) break;
    chosen.add(t);
  }
  return types.filter((t) => chosen.has(t));
}

/** How a pool's minimum reads in a message: `at least 5 instance-family values (minValues)`. */
export function describeShort(s: { key: string; min: number; have: number }): string {
  return `at least ${s.min} ${s.key.slice(s.key.lastIndexOf('/') + 1)} values (minValues); the instance types that hold the pod have ${s.have}`;
}
