/**
 * A region's on-demand list prices from a file: the output of `aws pricing get-products` (the AWS Price
 * List API, as Karpenter's pricing provider reads it) or Berth's short form
 * `{ region, onDemandPricesUSDPerHour: { <type>: <USD/h> } }`. Pure: text in, prices out.
 */
import { CatalogError } from './catalog.js';

export interface RegionPrices {
  readonly region: string;
  /** Linux, shared tenancy (bare metal: its own product family), no pre-installed software. */
  readonly onDemand: ReadonlyMap<string, number>;
  readonly source: string;
}

interface Attributes {
  instanceType?: string;
  regionCode?: string;
  operatingSystem?: string;
  tenancy?: string;
  preInstalledSw?: string;
  capacitystatus?: string;
  marketoption?: string;
}

interface PriceItem {
  product?: { productFamily?: string; attributes?: Attributes };
  terms?: {
    OnDemand?: Record<string, { priceDimensions?: Record<string, { pricePerUnit?: { USD?: string } }> }>;
  };
}

/** Whether a product is what a Linux node of the type costs (the filters of Karpenter's GetProducts call). */
function isLinuxInstance(item: PriceItem): boolean {
  const a = item.product?.attributes ?? {};
  const family = item.product?.productFamily;
  const shared = family === 'Compute Instance' && a.tenancy === 'Shared';
  const metal = family === 'Compute Instance (bare metal)' && a.tenancy === 'Dedicated';
  return (
    (shared || metal) &&
    a.operatingSystem === 'Linux' &&
    (a.preInstalledSw ?? 'NA') === 'NA' &&
    (a.capacitystatus ?? 'Used') === 'Used' &&
    (a.marketoption ?? 'OnDemand') === 'OnDemand'
  );
}

function usdOf(item: PriceItem): number | undefined {
  for (const term of Object.values(item.terms?.OnDemand ?? {}))
    for (const dim of Object.values(term.priceDimensions ?? {})) {
      const usd = Number(dim.pricePerUnit?.USD);
      if (Number.isFinite(usd) && usd > 0) return usd;
    }
  return undefined;
}

function fromPriceList(list: unknown[], file: string): RegionPrices {
  const onDemand = new Map<string, number>();
  const regions = new Set<string>();
  list.forEach((raw, i) => {
    let item: PriceItem;
    try {
      item = (typeof raw === 'string' ? JSON.parse(raw) : raw) as PriceItem;
    } catch (cause) {
      throw new CatalogError(`${file}: PriceList[${i}] is not JSON (${(cause as Error).message})`, { cause });
    }
    if (!isLinuxInstance(item)) return;
    const a = item.product?.attributes ?? {};
    const usd = usdOf(item);
    if (!a.instanceType || usd === undefined) return;
    if (a.regionCode) regions.add(a.regionCode);
    onDemand.set(a.instanceType, usd);
  });
  if (regions.size !== 1)
    throw new CatalogError(
      regions.size === 0
        ? `${file}: no Linux on-demand instance prices in PriceList; filter get-products by regionCode, operatingSystem Linux and tenancy Shared`
        : `${file}: prices of several regions (${[...regions].sort().join(', ')}); give one region's (filter by regionCode)`,
    );
  return { region: [...regions][0] ?? '', onDemand, source: `${file} (AWS Price List)` };
}

function fromShortForm(
  d: { region?: unknown; onDemandPricesUSDPerHour?: unknown },
  file: string,
): RegionPrices {
  if (
    typeof d.region !== 'string' ||
    typeof d.onDemandPricesUSDPerHour !== 'object' ||
    !d.onDemandPricesUSDPerHour
  )
    throw new CatalogError(
      `${file}: expected the output of aws pricing get-products, or { region, onDemandPricesUSDPerHour: { <type>: <USD/h> } }`,
    );
  const onDemand = new Map<string, number>();
  for (const [type, usd] of Object.entries(d.onDemandPricesUSDPerHour)) {
    if (typeof usd !== 'number' || !(usd > 0))
      throw new CatalogError(
        `${file}: onDemandPricesUSDPerHour.${type} must be a positive number, not ${JSON.stringify(usd)}`,
      );
    onDemand.set(type, usd);
  }
  return { region: d.region, onDemand, source: file };
}

export function parseRegionPrices(text: string, file: string): RegionPrices {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new CatalogError(`${file}: not JSON (${(cause as Error).message})`, { cause });
  }
  const d = (data ?? {}) as { PriceList?: unknown };
  return Array.isArray(d.PriceList) ? fromPriceList(d.PriceList, file) : fromShortForm(d as object, file);
}
