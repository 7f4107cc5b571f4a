/** Turns the solver's bins into plan nodes: each new claim launches the cheapest offering that holds it. */
import { LABEL } from '../../catalog/instance-type.js';
import type { Catalog } from '../../catalog/catalog.js';
import { poolPriceOfLabels } from '../../scheduling/nodepool.js';
import { RESERVED, reservationFor, reservationLabels } from '../../scheduling/reservations.js';
import type { Bin } from './bin.js';
import type { PlannedNode, SolverInput } from './model.js';
import { offeringPrice, type TypeOption } from './pools.js';
import { fitsWith, ZERO } from './resources.js';
import { describeShort, flexibleChoice, minValuesOf, shortOf } from '../../scheduling/min-values.js';

const ALTERNATIVES = 10;

function existingNode(bin: Bin, input: SolverInput): PlannedNode {
  const labels = bin.labels;
  const typeName = labels[LABEL.instanceType] ?? '';
  const zone = labels[LABEL.zone] ?? '';
  const capacityType = labels[LABEL.capacityType] ?? 'on-demand';
  const price = bin.existing?.pricePerHour ?? poolPriceOfLabels(input.catalog, input.pools, labels);
  return {
    name: bin.name,
    nodePool: labels[LABEL.nodePool] ?? '',
    instanceType: typeName,
    zone,
    capacityType,
    pricePerHour: price,
    existing: true,
    pods: [...bin.pods],
    labels: { ...labels },
    taints: bin.taints,
    alternatives: [],
  };
}

const NO_OFFERING = 'no offering of the instance types that hold it is available now';

type Offers = { t: TypeOption; offer: NonNullable<ReturnType<typeof offeringPrice>> }[];
type Memo = Map<readonly TypeOption[], Map<string, Offers>>;

/**
 * A bin's types with their cheapest offering in its zones and capacity types, cheapest first: the same
 * for every bin of a pool in a zone, so computed once per finalize (hundreds of types per new node).
 */
function offersFor(
  memo: Memo,
  input: SolverInput,
  catalog: Catalog,
  types: readonly TypeOption[],
  { zones, capacityTypes }: { zones: readonly string[]; capacityTypes: readonly string[] },
): Offers {
  let byPlace = memo.get(types);
  if (!byPlace) memo.set(types, (byPlace = new Map<string, Offers>()));
  const key = `${zones.join(',')}|${capacityTypes.join(',')}`;
  let offers = byPlace.get(key);
  if (!offers) {
    offers = types
      .flatMap((t) => {
        const offer = offeringPrice(input, catalog, t.type, zones, capacityTypes);
        return offer ? [{ t, offer }] : [];
      })
      .sort((a, b) => a.offer.price - b.offer.price || a.t.type.name.localeCompare(b.t.type.name));
    byPlace.set(key, offers);
  }
  return offers;
}

/**
 * The bin's offers that hold its pods, cheapest first; reserved ones only while a reservation of the
 * pool has room left (`taken` counts the plan's launches into each), else without reserved capacity.
 */
function offersOf(bin: Bin, input: SolverInput, memo: Memo, taken: Map<string, number>): Offers {
  const zones = bin.zone === undefined ? bin.zones : [bin.zone];
  const catalog = bin.pool?.option.catalog ?? input.catalog;
  const of = (capacityTypes: readonly string[]) =>
    offersFor(memo, input, catalog, bin.types, { zones, capacityTypes }).filter((o) =>
      fitsWith(o.t.cap, bin.used, ZERO),
    );
  const offers = of(bin.capacityTypes);
  const first = offers[0];
  if (first?.offer.capacityType !== RESERVED) return offers;
  const reservations = bin.pool?.option.view.reservations ?? [];
  if (reservationFor(reservations, first.t.type.name, first.offer.zone, taken)) return offers;
  return of(bin.capacityTypes.filter((c) => c !== RESERVED));
}

/** The plan node for a new bin, or why none can be bought for it any more. */
function newNode(bin: Bin, input: SolverInput, memo: Memo, taken: Map<string, number>): PlannedNode | string {
  const offers = offersOf(bin, input, memo, taken);
  const first = offers[0];
  if (!first || !bin.pool) return NO_OFFERING;
  // minValues (Strict, Karpenter's default): a claim that cannot keep the pool's minimum is not made.
  const mins = minValuesOf(bin.pool.option.view);
  const short = shortOf(
    offers.map((o) => o.t.type),
    mins,
  );
  if (short) return `NodePool ${bin.pool.option.view.name} needs ${describeShort(short)}`;
  const listed = flexibleChoice(
    offers.map((o) => o.t),
    mins,
    (input.alternatives ?? ALTERNATIVES) + 1,
  );
  const { zone, capacityType, price } = first.offer;
  const reservation =
    capacityType === RESERVED
      ? reservationFor(bin.pool.option.view.reservations ?? [], first.t.type.name, zone, taken)
      : undefined;
  if (reservation) taken.set(reservation.id, (taken.get(reservation.id) ?? 0) + 1);
  const labels: Record<string, string> = {
    ...bin.labels,
    ...first.t.type.labels,
    [LABEL.zone]: zone,
    [LABEL.region]: input.catalog.region,
    [LABEL.capacityType]: capacityType,
    ...(reservation ? reservationLabels(reservation) : {}),
  };
  return {
    name: bin.name,
    nodePool: bin.pool.option.view.name,
    instanceType: first.t.type.name,
    zone,
    capacityType,
    pricePerHour: price,
    nodeCostPerHour: bin.pool.option.nodeCost,
    existing: false,
    pods: [...bin.pods],
    labels,
    taints: bin.taints,
    // A reserved launch is of the reservation's type: no alternative.
    alternatives: reservation ? [] : listed.slice(1).map((t) => t.type.name),
  };
}

/** Plan nodes for every bin that received pods; `lost` gets the pods of a bin with nothing to buy, and why. */
export function finalize(bins: readonly Bin[], input: SolverInput, lost: Map<string, string>): PlannedNode[] {
  const out: PlannedNode[] = [];
  const memo: Memo = new Map();
  const taken = new Map<string, number>();
  for (const bin of bins) {
    if (bin.pods.length === 0) continue;
    const node = bin.existing ? existingNode(bin, input) : newNode(bin, input, memo, taken);
    if (typeof node !== 'string') out.push(node);
    else for (const pod of bin.pods) lost.set(pod, node);
  }
  return out;
}
