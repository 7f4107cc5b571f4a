/** The instance catalog: built-in (compact, generated) or a file in the shared data format. */
import builtin from './catalog.data.json' with { type: 'json' };
import { fromRow, type CompactCatalog } from './compact.js';
import { LABEL, toInstanceType, type InstanceType, type InstanceTypeFacts } from './instance-type.js';
import { regionZones } from './regions.js';
import { spotPrice } from './spot-price.js';

export interface Catalog {
  readonly source: string;
  readonly region: string;
  readonly zones: readonly string[];
  /** The region whose on-demand list prices these are, when not `region`'s own (see regional.ts). */
  readonly pricesFrom?: string;
  readonly types: readonly InstanceType[];
  byName(name: string): InstanceType | undefined;
  /** USD/h of an offering; null when it is not offered. Spot prices are modelled, not quoted. */
  price(type: InstanceType, zone: string, capacityType: string): number | null;
  /** What it was made from, so that another thread can make the same catalog (makeCatalog's arguments). */
  readonly origin?: CatalogOrigin;
}

export interface CatalogOrigin {
  readonly facts: FactsFile;
  readonly zones: readonly string[] | undefined;
  readonly spotQuotes: ReadonlyMap<string, number> | undefined;
}

export interface FactsFile {
  source: string;
  region: string;
  /** The region the on-demand prices are from, when not `region` (facts carried into another region). */
  pricesFrom?: string;
  instanceTypes: InstanceTypeFacts[];
}

export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

export function parseFactsFile(text: string, file: string): FactsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new CatalogError(`${file}: not JSON (${(cause as Error).message})`, { cause });
  }
  const d = data as Partial<FactsFile> | null;
  if (!d || !Array.isArray(d.instanceTypes)) {
    throw new CatalogError(`${file}: expected { source, region, instanceTypes: [...] }`);
  }
  d.instanceTypes.forEach((t, i) => {
    if (typeof t.name !== 'string' || typeof t.allocatable !== 'object' || typeof t.vcpu !== 'number') {
      throw new CatalogError(`${file}: instanceTypes[${i}] lacks name, vcpu or allocatable`);
    }
  });
  return { source: d.source ?? file, region: d.region ?? 'us-east-1', instanceTypes: d.instanceTypes };
}

export function defaultZones(region: string): string[] {
  return regionZones(region);
}

/**
 * A catalog over instance-type facts. Spot prices are modelled unless quotes (`<type>/<zone>` → USD/h,
 * from DescribeSpotPriceHistory) are given; then a type without a quote in a zone is not offered there.
 */
export function makeCatalog(
  facts: FactsFile,
  zones?: readonly string[],
  spotQuotes?: ReadonlyMap<string, number>,
): Catalog {
  const types = facts.instanceTypes.map(toInstanceType);
  const index = new Map(types.map((t) => [t.name, t]));
  return {
    origin: { facts, zones, spotQuotes },
    source: facts.source,
    region: facts.region,
    ...(facts.pricesFrom !== undefined && facts.pricesFrom !== facts.region
      ? { pricesFrom: facts.pricesFrom }
      : {}),
    zones: zones ?? defaultZones(facts.region),
    types,
    byName: (name) => index.get(name),
    price(type, zone, capacityType) {
      if (type.onDemandPrice === null) return null;
      if (capacityType === 'on-demand') return type.onDemandPrice;
      if (capacityType === 'spot')
        return spotQuotes
          ? (spotQuotes.get(`${type.name}/${zone}`) ?? null)
          : spotPrice(type.name, zone, type.onDemandPrice);
      return null;
    },
  };
}

const zoned = new WeakMap<Catalog, Map<string, Catalog>>();

/**
 * The same catalog offered in these zones (the zones of the EC2NodeClasses' subnets, not the region's
 * a–c); the catalog itself when none are given. Kept per zone set, so a round asks for it cheaply.
 */
/**
 * USD/h of a node by its labels (instance type, zone, capacity type; on-demand when it has none);
 * 0 for a type or offering the catalog does not price.
 */
export function priceOfLabels(catalog: Catalog, labels: Readonly<Record<string, string>>): number {
  const type = catalog.byName(labels[LABEL.instanceType] ?? '');
  if (!type) return 0;
  return catalog.price(type, labels[LABEL.zone] ?? '', labels[LABEL.capacityType] ?? 'on-demand') ?? 0;
}

export function inZones(catalog: Catalog, zones: readonly string[]): Catalog {
  if (zones.length === 0) return catalog;
  const key = [...zones].sort().join(',');
  if (key === [...catalog.zones].sort().join(',')) return catalog;
  let byKey = zoned.get(catalog);
  if (!byKey) zoned.set(catalog, (byKey = new Map<string, Catalog>()));
  let out = byKey.get(key);
  if (!out) {
    const sorted = key.split(',');
    out = catalog.origin
      ? makeCatalog(catalog.origin.facts, sorted, catalog.origin.spotQuotes)
      : { ...catalog, zones: sorted };
    byKey.set(key, out);
  }
  return out;
}

let cached: Catalog | undefined;

/** The built-in catalog (generated from data/ by `npm run gen:catalog`). */
export function builtinCatalog(): Catalog {
  if (!cached) {
    const compact = builtin as unknown as CompactCatalog;
    cached = makeCatalog({
      source: compact.source,
      region: compact.region,
      instanceTypes: compact.rows.map(fromRow),
    });
  }
  return cached;
}
