/**
 * The lower bound the plan is measured against: the LP relaxation of buying capacity for the pods the
 * plan put on new nodes, over the types each pod may really use — its pools' and its own requirements,
 * priced at the capacity types and zones those leave it (an on-demand-only pod never counts a spot
 * price), and only types its pool's limits can still take. Pods are grouped by class (same node
 * requirements and tolerations); classes that can share an instance type are solved together over
 * their pooled demand and the union of their types at the lower of their prices (a relaxation of each
 * class keeping to its own types), and independent groups add up.
 */
import { untoleratedTaint } from '../../scheduling/taints.js';
import { narrow, wholePool } from './bin.js';
import { solveLp, type LpItem } from './lp.js';
import type { SolverPod } from './model.js';
import { addInto, ZERO, type Res } from './resources.js';
import { emptyUsage, offeringPrice, withinLimits } from './pools.js';
import type { SolverState } from './state.js';

interface Group {
  demand: Res;
  items: Map<string, LpItem>;
}

function itemsFor(state: SolverState, pod: SolverPod): Map<string, LpItem> {
  const out = new Map<string, LpItem>();
  const none = emptyUsage();
  for (const pool of state.pools) {
    const o = pool.option;
    if (untoleratedTaint(o.view.taints, pod.tolerations)) continue;
    const whole = wholePool(o);
    for (const term of pod.terms) {
      const n = narrow(o, whole, term, state.input.catalog);
      if (!n) continue;
      for (const t of n.types) {
        if (!withinLimits(o, t.type, none)) continue;
        const offer = offeringPrice(state.input, o.catalog, t.type, n.zones, n.capacityTypes);
        if (offer)
          setCheaper(out, `${o.view.name}/${t.type.name}`, { cap: t.cap, price: offer.price + o.nodeCost });
      }
    }
  }
  return out;
}

/** Keeps the lower price of an item two terms or classes both offer (a bound must never be above). */
function setCheaper(items: Map<string, LpItem>, key: string, item: LpItem): void {
  const had = items.get(key);
  if (!had || item.price < had.price) items.set(key, item);
}

function find(parent: number[], i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r] ?? r;
  return r;
}

export function lowerBound(state: SolverState, pods: readonly SolverPod[]): number {
  const classes = new Map<string, Group>();
  for (const pod of pods) {
    const key = state.placementKey(pod);
    let g = classes.get(key);
    if (!g) classes.set(key, (g = { demand: { ...ZERO }, items: itemsFor(state, pod) }));
    addInto(g.demand, pod.requests);
  }
  const list = [...classes.values()];
  const parent = list.map((_, i) => i);
  const owner = new Map<string, number>();
  list.forEach((g, i) => {
    for (const k of g.items.keys()) {
      const j = owner.get(k);
      if (j === undefined) owner.set(k, i);
      else parent[find(parent, i)] = find(parent, j);
    }
  });
  const merged = new Map<number, Group>();
  list.forEach((g, i) => {
    const r = find(parent, i);
    let m = merged.get(r);
    if (!m) merged.set(r, (m = { demand: { ...ZERO }, items: new Map() }));
    addInto(m.demand, g.demand);
    for (const [k, v] of g.items) setCheaper(m.items, k, v);
  });
  let total = 0;
  for (const g of merged.values()) total += solveLp(g.demand, [...g.items.values()]).cost;
  return Math.round(total * 1e5) / 1e5;
}
