/**
 * The cheapest fleet any provisioner could run a step's pods on: the exact integer optimum over the
 * types a NodePool allows, for pods of at most two shapes with no placement constraints (no spread,
 * no affinity: *basic* and *churn*). bench:cluster's `× LP bound` divides by a fractional bound,
 * which no fleet reaches when one node's type cannot be split; this is the figure a $/h goal can be
 * held against. Each node type offers the pod mixes it holds (for each count of the larger shape, as
 * many of the smaller as fit beside them), and a dynamic program over (larger, smaller) pods placed
 * finds the cheapest mix of mixes. Pure.
 */
import { ZERO, fitsWith, type Res } from '../../src/provisioner/solver/resources.js';

export interface Offer {
  readonly name: string;
  readonly pricePerHour: number;
  /** What pods may use on a node of the type (its allocatable, less the DaemonSets' requests). */
  readonly room: Res;
}

export interface Shape {
  readonly requests: Res;
  readonly count: number;
}

export interface Fleet {
  readonly pricePerHour: number;
  /** Nodes by type, most first. */
  readonly nodes: readonly { readonly type: string; readonly count: number }[];
}

/** Added per node while searching, so that of two fleets at one price the one of fewer nodes wins. */
const PER_NODE = 1e-7;

interface Mix {
  readonly a: number;
  readonly b: number;
  readonly offer: Offer;
}

const times = (r: Res, n: number): Res => ({ ...r, cpu: r.cpu * n, mem: r.mem * n, pods: r.pods * n });

/** The cheapest offer of each (a, b) mix a node can hold: a of the first shape, as many b as fit beside. */
function mixes(offers: readonly Offer[], first: Res, second: Res): Mix[] {
  const best = new Map<string, Mix>();
  for (const offer of offers)
    for (let a = 0; fitsWith(offer.room, ZERO, times(first, a)); a++) {
      let b = 0;
      // A second shape of no pods (one shape alone) fits without end: none of it is counted.
      if (second.pods > 0) while (fitsWith(offer.room, times(first, a), times(second, b + 1))) b++;
      if (a + b === 0) continue;
      const key = `${a},${b}`;
      const seen = best.get(key);
      if (!seen || offer.pricePerHour < seen.offer.pricePerHour) best.set(key, { a, b, offer });
    }
  return [...best.values()];
}

/** The cheapest fleet for the shapes (one or two), or undefined when some pod fits no offer. */
export function cheapestFleet(offers: readonly Offer[], shapes: readonly Shape[]): Fleet | undefined {
  if (shapes.length === 0 || shapes.length > 2) throw new Error('cheapestFleet takes one or two pod shapes');
  const [x, y = { requests: ZERO, count: 0 }] = shapes as [Shape, Shape?];
  const cols = mixes(offers, x.requests, y.requests);
  const na = x.count;
  const nb = y.count;
  const width = nb + 1;
  const cost = new Float64Array((na + 1) * width).fill(Number.POSITIVE_INFINITY);
  const from = new Int32Array((na + 1) * width).fill(-1);
  const via = new Int32Array((na + 1) * width).fill(-1);
  cost[0] = 0;
  for (let i = 0; i <= na; i++)
    for (let j = 0; j <= nb; j++) {
      const here = i * width + j;
      const c = cost[here] ?? Number.POSITIVE_INFINITY;
      if (c === Number.POSITIVE_INFINITY) continue;
      cols.forEach((m, k) => {
        const next = Math.min(na, i + m.a) * width + Math.min(nb, j + m.b);
        if (next === here) return;
        const price = c + m.offer.pricePerHour + PER_NODE;
        if (price < (cost[next] ?? Number.POSITIVE_INFINITY)) {
          cost[next] = price;
          from[next] = here;
          via[next] = k;
        }
      });
    }
  const end = na * width + nb;
  const total = cost[end] ?? Number.POSITIVE_INFINITY;
  if (total === Number.POSITIVE_INFINITY) return undefined;
  const counts = new Map<string, number>();
  let pricePerHour = 0;
  for (let at = end; at > 0; at = from[at] ?? 0) {
    const m = cols[via[at] ?? -1];
    if (!m) break;
    counts.set(m.offer.name, (counts.get(m.offer.name) ?? 0) + 1);
    pricePerHour += m.offer.pricePerHour;
  }
  const nodes = [...counts].map(([type, count]) => ({ type, count })).sort((p, q) => q.count - p.count);
  return { pricePerHour, nodes };
}
