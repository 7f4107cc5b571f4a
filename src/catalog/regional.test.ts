import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from './catalog.js';
import { parseRegionPrices } from './price-list.js';
import { borrowedPrices, forRegion } from './regional.js';

const prices = parseRegionPrices(
  readFileSync(new URL('../../test/regions/eu-west-1/prices.json', import.meta.url), 'utf8'),
  'prices.json',
);

describe('forRegion', () => {
  const base = builtinCatalog();

  it('without a price list: the region and its zones, us-east-1’s prices marked as borrowed', () => {
    const c = forRegion(base, { region: 'eu-west-1' });
    expect([c.region, c.zones]).toEqual(['eu-west-1', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']]);
    expect(borrowedPrices(c)).toBe('us-east-1');
    expect(c.types).toHaveLength(base.types.length);
    const m5 = c.byName('m5.xlarge');
    expect(m5 && c.price(m5, 'eu-west-1a', 'on-demand')).toBe(0.192);
  });

  it('with its price list: the region’s prices, and a type the list lacks is not offered', () => {
    const c = forRegion(base, { region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'], prices });
    expect(borrowedPrices(c)).toBeUndefined();
    expect(c.zones).toEqual(['eu-west-1a', 'eu-west-1b']);
    const m5 = c.byName('m5.xlarge');
    expect(m5 && c.price(m5, 'eu-west-1a', 'on-demand')).toBe(0.214);
    expect(c.byName('m5.24xlarge')).toBeUndefined();
    // m99.large is priced but has no facts: nothing to place pods on.
    expect(c.types.map((t) => t.name).sort()).toEqual(
      [...prices.onDemand.keys()].filter((t) => t !== 'm99.large').sort(),
    );
  });

  it('refuses another region’s price list', () => {
    expect(() => forRegion(base, { region: 'eu-west-2', prices })).toThrow(
      "its prices are eu-west-1's, but the region is eu-west-2",
    );
  });

  it('the built-in catalog is us-east-1’s own', () => {
    expect(borrowedPrices(base)).toBeUndefined();
  });
});
