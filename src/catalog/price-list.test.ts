import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRegionPrices } from './price-list.js';

const FIXTURE = new URL('../../test/regions/eu-west-1/prices.json', import.meta.url);

describe('parseRegionPrices', () => {
  it('reads aws pricing get-products output: Linux, shared tenancy (metal: dedicated), used capacity', () => {
    const p = parseRegionPrices(readFileSync(FIXTURE, 'utf8'), 'prices.json');
    expect(p.region).toBe('eu-west-1');
    // Windows, dedicated-host and unused-reservation products of m5.large are not its Linux price.
    expect(p.onDemand.get('m5.large')).toBe(0.107);
    expect(p.onDemand.get('m5.metal')).toBe(5.136);
    expect(p.onDemand.size).toBe(20);
  });

  it('reads the short form', () => {
    const p = parseRegionPrices(
      '{"region":"eu-west-2","onDemandPricesUSDPerHour":{"m5.large":0.111}}',
      'p.json',
    );
    expect([p.region, p.onDemand.get('m5.large')]).toEqual(['eu-west-2', 0.111]);
  });

  it.each([
    ['not json', 'p.json: not JSON'],
    ['{"PriceList":[]}', 'no Linux on-demand instance prices in PriceList'],
    ['{"region":"eu-west-2"}', 'expected the output of aws pricing get-products'],
    [
      '{"region":"eu-west-2","onDemandPricesUSDPerHour":{"m5.large":"0.1"}}',
      'must be a positive number, not "0.1"',
    ],
    ['{"PriceList":["{"]}', 'PriceList[0] is not JSON'],
  ])('refuses %s', (text, message) => {
    expect(() => parseRegionPrices(text, 'p.json')).toThrow(message);
  });

  it('refuses a list of several regions', () => {
    const item = (region: string) =>
      JSON.stringify({
        product: {
          productFamily: 'Compute Instance',
          attributes: {
            instanceType: 'm5.large',
            regionCode: region,
            operatingSystem: 'Linux',
            tenancy: 'Shared',
          },
        },
        terms: { OnDemand: { a: { priceDimensions: { b: { pricePerUnit: { USD: '0.1' } } } } } },
      });
    const text = JSON.stringify({ PriceList: [item('eu-west-1'), item('eu-west-2')] });
    expect(() => parseRegionPrices(text, 'p.json')).toThrow(
      'prices of several regions (eu-west-1, eu-west-2)',
    );
  });
});
