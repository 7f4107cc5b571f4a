/** Turns the solver's bins into plan nodes: each new claim launches the cheapest offering that holds it. */
import { LABEL } from '../../catalog/instance-type.js';
import type { Bin } from './bin.js';
import type { PlannedNode, SolverInput } from './model.js';
import { offeringPrice, type TypeOption } from './pools.js';
import { fitsWith, ZERO } from './resources.js';
import { describeShort, flexibleChoice, minValuesOf, shortOf } from '../../scheduling/min-values.js';

const ALTERNATIVES = 10;

function existingNode(bin: Bin, input: SolverInput): PlannedNode {
  const labels = bin.labels;
  const typeName = labels[LABEL.instanceType] ?? '';
  const type = input.catalog.byName(typeName);
  const zone = labels[LABEL.zone] ?? '';
  const capacityType = labels[LABEL.capacityType] ?? 'on-demand';
  const price =
    bin.existing?.pricePerHour ?? (type ? input.catalog.price(type, zone, capacityType) : null) ?? 0;
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

/**
 * A bin's types with their cheapest offering in its zones and capacity types, cheapest first: the same
 * for every bin of a pool in a zone, so computed once per finalize (hundreds of types per new node).
 */
function offersFor(
  memo: Map<readonly TypeOption[], Map<string, Offers>>,
  input: SolverInput,
  types: readonly TypeOption[],
  zones: readonly string[],
  capacityTypes: readonly string[],
): Offers {
  let byPlace = memo.get(types);
  if (!byPlace) memo.set(types, (byPlace = new Map<string, Offers>()));
  const key = `${zones.join(',')}|${capacityTypes.join(',')}`;
  let offers = byPlace.get(key);
  if (!offers) {
    offers = types
      .flatMap((t) => {
        const offer = offeringPrice(input, t.type, zones, capacityTypes);
        return offer ? [{ t, offer }] : [];
      })
      .sort((a, b) => a.offer.price - b.offer.price || a.t.type.name.localeCompare(b.t.type.name));
    byPlace.set(key, offers);
  }
  return offers;
}

/** The plan node for a new bin, or why none can be bought for it any more. */
function newNode(
  bin: Bin,
  input: SolverInput,
  memo: Map<readonly TypeOption[], Map<string, Offers>>,
): PlannedNode | string {
  const zones = bin.zone === undefined ? bin.zones : [bin.zone];
  const offers = offersFor(memo, input, bin.types, zones, bin.capacityTypes).filter((o) =>
    fitsWith(o.t.cap, bin.used, ZERO),
  );
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
  const labels: Record<string, string> = {
    ...bin.labels,
    ...first.t.type.labels,
    [LABEL.zone]: zone,
    [LABEL.region]: input.catalog.region,
    [LABEL.capacityType]: capacityType,
  };
  return {
    name: bin.name,
    nodePool: bin.pool.option.view.name,
    instanceType: first.t.type.name,
    zone,
    capacityType,
    pricePerHour: price,
    existing: false,
    pods: [...bin.pods],
    labels,
    taints: bin.taints,
    alternatives: listed.slice(1).map((t) => t.type.name),
  };
}

/** Plan nodes for every bin that received pods; `lost` gets the pods of a bin with nothing to buy, and why. */
export function finalize(bins: readonly Bin[], input: SolverInput, lost: Map<string, string>): PlannedNode[] {
  const out: PlannedNode[] = [];
  const memo = new Map<readonly TypeOption[], Map<string, Offers>>();
  for (const bin of bins) {
    if (bin.pods.length === 0) continue;
    const node = bin.existing ? existingNode(bin, input) : newNode(bin, input, memo);
    if (typeof node !== 'string') out.push(node);
    else for (const pod of bin.pods) lost.set(pod, node);
  }
  return out;
}
