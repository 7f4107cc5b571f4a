/**
 * Which region an offline command speaks of, and its catalog: `--region`, else policies.yaml `region`,
 * else the region of a `--prices` list, else that of policies.yaml `zones`, else that of the zones the
 * inputs name (NodePool requirements, Node labels), else the catalog's (us-east-1 for the built-in one). Unknown regions and zones of another region are bad input.
 */
import { readFileSync } from 'node:fs';
import type { Catalog } from '../catalog/catalog.js';
import { parseRegionPrices, type RegionPrices } from '../catalog/price-list.js';
import { borrowedPrices, forRegion } from '../catalog/regional.js';
import { regionOfZones, regionProblem, zoneInRegion } from '../catalog/regions.js';
import type { Policies } from '../policies/policies.js';
import { BadInput } from './bad-input.js';

export interface RegionOptions {
  /** The AWS region (--region). */
  region?: string;
  /** A region's on-demand price list (--prices): `aws pricing get-products` output or Berth's short form. */
  prices?: string;
}

function bad(file: string, message: string): never {
  throw new BadInput([{ file, line: 0, col: 0, message }]);
}

function readPrices(file: string): RegionPrices {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return bad(file, (e as Error).message);
  }
  try {
    return parseRegionPrices(text, file);
  } catch (e) {
    return bad(file, (e as Error).message.replace(`${file}: `, ''));
  }
}

/** An unknown region name (a flag's) is bad input, with the near miss or the list. */
export function checkRegionName(region: string | undefined, file = '--region'): void {
  const problem = region === undefined ? undefined : regionProblem(region);
  if (problem) bad(file, problem);
}

export function chooseRegion(
  opts: RegionOptions,
  policies: Policies,
  prices: RegionPrices | undefined,
  catalog: Catalog,
  seenZones: readonly string[] = [],
): string {
  const region =
    opts.region ??
    policies.region ??
    prices?.region ??
    regionOfZones(policies.zones) ??
    regionOfZones(seenZones) ??
    catalog.region;
  checkRegionName(region, opts.region !== undefined ? '--region' : policies.source);
  const foreign = (policies.zones ?? []).filter((z) => !zoneInRegion(z, region));
  if (foreign.length > 0)
    bad(
      policies.source,
      `zones ${foreign.join(', ')} are not in ${region}${opts.region !== undefined ? ' (--region)' : ''}; name ${region}'s zones, or the cluster's region`,
    );
  return region;
}

/** The catalog of the chosen region: its zones (policies.yaml's, else the region's) and prices. */
export function regionalCatalog(
  base: Catalog,
  opts: RegionOptions,
  policies: Policies,
  seenZones: readonly string[] = [],
): Catalog {
  const prices = opts.prices === undefined ? undefined : readPrices(opts.prices);
  const region = chooseRegion(opts, policies, prices, base, seenZones);
  if (prices && prices.region !== region)
    bad(opts.prices ?? '--prices', `its prices are ${prices.region}'s, but the region is ${region}`);
  if (region === base.region && !prices) return policies.zones ? { ...base, zones: policies.zones } : base;
  return forRegion(base, { region, zones: policies.zones, prices });
}

/**
 * The stderr notice of a run whose prices are borrowed from another region (no --prices for its own);
 * empty when the prices are the region's.
 */
export function regionNotice(catalog: Catalog): string {
  const from = borrowedPrices(catalog);
  if (from === undefined) return '';
  return `berth: notice: prices and instance types are ${from}'s: Berth carries no ${catalog.region} price list; for ${catalog.region}'s, pass --prices with the output of aws pricing get-products for it (docs/operations/regions.md)\n`;
}
