/**
 * Static NodePools (spec.replicas, Karpenter v1.8): each keeps its count of nodes whatever the pods
 * need. The nodes a pool lacks — replicas less its nodes and claims, within `limits.nodes` — are
 * planned as new nodes of the cheapest offering it allows (Karpenter's static provisioning controller
 * creates empty NodeClaims from the template; the fleet launches the lowest price), one zone after
 * another among offerings of that price. Pods may use them as they use any node of the plan. Pure.
 */
import { priceTotals } from './totals.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { ExistingNode, Plan, PlannedNode, SolverInput } from './model.js';
import { offeringPrice, poolOption, type PoolOption, type TypeOption } from './pools.js';
import type { Res } from './resources.js';
import {
  RESERVED,
  reservationFor,
  reservationLabels,
  type Reservation,
} from '../../scheduling/reservations.js';

type Offer = NonNullable<ReturnType<typeof offeringPrice>>;

const ALTERNATIVES = 10;

/** How many nodes each static pool lacks now, within its `limits.nodes`. */
export function staticShortfall(input: SolverInput, view: PoolView): number {
  if (view.replicas === undefined || view.autoMode) return 0;
  const have = input.nodes.filter((n) => n.labels[LABEL.nodePool] === view.name).length;
  const missing = view.replicas - have;
  const limit = view.limits.nodes;
  if (limit === undefined) return Math.max(0, missing);
  const used = input.poolUsage?.get(view.name)?.nodes ?? have;
  return Math.max(0, Math.min(missing, limit - used));
}

/** The cheapest offerings of a pool's cheapest type, one per zone at that price (zone order). */
function cheapestOfferings(input: SolverInput, option: PoolOption) {
  const first = option.types[0];
  if (!first) return undefined;
  const offers = option.zones.flatMap((zone) => {
    const o = offeringPrice(input, option.catalog, first.type, [zone], option.capacityTypes);
    return o ? [o] : [];
  });
  const min = Math.min(...offers.map((o) => o.price));
  return { type: first, offers: offers.filter((o) => o.price === min) };
}

/** One static node of a pool's cheapest offering (its reservation's labels when reserved). */
function staticNode(
  input: SolverInput,
  view: PoolView,
  option: PoolOption,
  place: { type: TypeOption; offer: Offer; reservation: Reservation | undefined; index: number },
): PlannedNode {
  const { type, offer, reservation } = place;
  const name = `${input.namePrefix ?? 'berth-'}${view.name}-static-${place.index + 1}`;
  return {
    name,
    nodePool: view.name,
    instanceType: type.type.name,
    zone: offer.zone,
    capacityType: offer.capacityType,
    pricePerHour: offer.price,
    nodeCostPerHour: option.nodeCost,
    existing: false,
    pods: [],
    labels: {
      ...view.labels,
      ...type.type.labels,
      [LABEL.zone]: offer.zone,
      [LABEL.region]: input.catalog.region,
      [LABEL.capacityType]: offer.capacityType,
      [LABEL.hostname]: name,
      ...(reservation ? reservationLabels(reservation) : {}),
    },
    taints: view.taints,
    alternatives: reservation ? [] : option.types.slice(1, ALTERNATIVES + 1).map((t) => t.type.name),
  };
}

/** A static node to launch, and the room its type leaves the pool's pods (its DaemonSets taken off). */
export interface StaticLaunch {
  readonly node: PlannedNode;
  readonly cap: Readonly<Res>;
}

/** The new nodes that bring each static pool up to its count. */
export function staticLaunches(input: SolverInput): StaticLaunch[] {
  const out: StaticLaunch[] = [];
  const taken = new Map<string, number>();
  for (const view of input.pools) {
    const missing = staticShortfall(input, view);
    if (missing === 0) continue;
    const option = input.poolMemo?.get(view) ?? poolOption(input, view);
    const best = cheapestOfferings(input, option);
    for (let index = 0; best && index < missing; index++) {
      const offer = best.offers[index % best.offers.length];
      if (!offer) continue;
      const reserved = offer.capacityType === RESERVED;
      const reservation = reserved
        ? reservationFor(view.reservations ?? [], best.type.type.name, offer.zone, taken)
        : undefined;
      if (reserved && !reservation) continue;
      if (reservation) taken.set(reservation.id, (taken.get(reservation.id) ?? 0) + 1);
      out.push({
        node: staticNode(input, view, option, { type: best.type, offer, reservation, index }),
        cap: best.type.cap,
      });
    }
  }
  return out;
}

/** A planned static node as the solver sees it: capacity in flight that pods may use. */
export function asInFlight({ node, cap }: StaticLaunch): ExistingNode {
  return {
    name: node.name,
    labels: node.labels,
    taints: node.taints,
    allocatable: cap,
    pods: [],
    inFlight: true,
    pricePerHour: node.pricePerHour,
  };
}

/** The plan with the static nodes as new nodes (with the pods it put on them), its totals counted again. */
export function withStatic(plan: Plan, statics: readonly PlannedNode[]): Plan {
  const byName = new Map(statics.map((s) => [s.name, s]));
  const placed = new Map(plan.nodes.filter((n) => byName.has(n.name)).map((n) => [n.name, n.pods]));
  const nodes = [
    ...plan.nodes.filter((n) => !byName.has(n.name)),
    ...statics.map((s) => ({ ...s, pods: placed.get(s.name) ?? [] })),
  ];
  const fresh = nodes.filter((n) => !n.existing);
  return {
    ...plan,
    nodes,
    totals: { ...plan.totals, ...priceTotals(fresh), nodes: fresh.length },
  };
}
