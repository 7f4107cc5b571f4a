/**
 * Which instance types a node of the plan is tried as. The LP's shadow prices rank a pool's types by
 * what their capacity is worth per dollar; a fill shaped for one of them is then priced as the
 * cheapest type that holds what it took, which may be another type with room to spare, and a larger
 * size of that family holds as many pods per dollar on fewer nodes. So the candidates are the top
 * types at the shadow prices and any the caller adds, then, once, each type those fills bought and
 * the largest size of its family.
 */
import { LABEL } from '../../catalog/instance-type.js';
import { valueOf } from './lp.js';
import type { TypeOption } from './pools.js';
import { fitsWith, ZERO, type Res } from './resources.js';

const CANDIDATES = 8;

/** The cheapest type (types are cheapest first) that holds `used`. */
export function cheapestHolding(types: readonly TypeOption[], used: Readonly<Res>): TypeOption | undefined {
  return types.find((t) => fitsWith(t.cap, used, ZERO));
}

/** An option's types by worth per dollar at shadow prices y: the same for every bin of a class. */
const rankings = new WeakMap<readonly TypeOption[], { y: Res; top: readonly TypeOption[] }>();

function topTypes(types: readonly TypeOption[], y: Res): readonly TypeOption[] {
  const hit = rankings.get(types);
  if (hit?.y === y) return hit.top;
  const top = [...types]
    .sort((a, b) => valueOf(y, b.cap) / b.price - valueOf(y, a.cap) / a.price || b.cap.cpu - a.cap.cpu)
    .slice(0, CANDIDATES);
  rankings.set(types, { y, top });
  return top;
}

/** The largest size of `t`'s family among `types`. */
export function largestOfFamily(types: readonly TypeOption[], t: TypeOption): TypeOption | undefined {
  const family = t.type.labels[LABEL.family];
  let top: TypeOption | undefined;
  for (const o of types)
    if (o.type.labels[LABEL.family] === family && (!top || o.cap.cpu > top.cap.cpu)) top = o;
  return top;
}

/**
 * Calls `tryAs` once per candidate type (see above); `tryAs` fills a node as that type and returns
 * the types its fills bought.
 */
export function exploreTypes(
  types: readonly TypeOption[],
  y: Res,
  more: readonly (TypeOption | undefined)[],
  tryAs: (t: TypeOption) => readonly TypeOption[],
): void {
  const tried = new Set<TypeOption>();
  const bought = new Set<TypeOption>();
  const visit = (t: TypeOption | undefined): void => {
    if (!t || tried.has(t)) return;
    tried.add(t);
    for (const b of tryAs(t)) bought.add(b);
  };
  for (const t of topTypes(types, y)) visit(t);
  for (const t of more) visit(t);
  for (const b of [...bought]) {
    visit(b);
    visit(largestOfFamily(types, b));
  }
}
