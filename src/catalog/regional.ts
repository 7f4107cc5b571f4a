/**
 * The catalog in the cluster's region. Berth carries one region's list prices (us-east-1's, as
 * Karpenter's generated initial prices do); in another region the instance facts stay, the region and
 * its zones change, and the prices are that region's when its price list is given (a type the list
 * lacks is not offered there), else us-east-1's, marked as such (`pricesFrom`). Pure.
 */
import { CatalogError, makeCatalog, type Catalog, type FactsFile } from './catalog.js';
import type { RegionPrices } from './price-list.js';
import { regionZones } from './regions.js';

export interface RegionChoice {
  readonly region: string;
  /** The cluster's zones (policies.yaml `zones`); the region's first three when absent. */
  readonly zones?: readonly string[] | undefined;
  readonly prices?: RegionPrices | undefined;
}

function repriced(facts: FactsFile, prices: RegionPrices): FactsFile {
  const instanceTypes = facts.instanceTypes
    .filter((t) => prices.onDemand.has(t.name))
    .map((t) => ({ ...t, onDemandPriceUSDPerHour: prices.onDemand.get(t.name) ?? null }));
  return { source: `${facts.source}; prices: ${prices.source}`, region: prices.region, instanceTypes };
}

export function forRegion(base: Catalog, choice: RegionChoice): Catalog {
  const { region, prices } = choice;
  if (prices && prices.region !== region)
    throw new CatalogError(
      `${prices.source}: its prices are ${prices.region}'s, but the region is ${region}`,
    );
  const facts: FactsFile = base.origin?.facts ?? {
    source: base.source,
    region: base.region,
    instanceTypes: [],
  };
  const moved: FactsFile = prices
    ? repriced(facts, prices)
    : { ...facts, region, pricesFrom: base.pricesFrom ?? facts.pricesFrom ?? facts.region };
  return makeCatalog(moved, choice.zones ?? regionZones(region), base.origin?.spotQuotes);
}

/** The region a catalog's prices are from when it is not the catalog's own; undefined when they agree. */
export function borrowedPrices(catalog: Catalog): string | undefined {
  return catalog.pricesFrom !== undefined && catalog.pricesFrom !== catalog.region
    ? catalog.pricesFrom
    : undefined;
}
