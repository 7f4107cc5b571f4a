import { describe, expect, it } from 'vitest';
import { REGIONS, regionOfZone, regionProblem, regionZones, zoneInRegion } from './regions.js';

describe('regions', () => {
  it.each([
    ['us-east-1', ['us-east-1a', 'us-east-1b', 'us-east-1c']],
    ['eu-west-1', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']],
    // Tokyo and Canada Central have no b and c zones for new accounts; N. California shows two.
    ['ap-northeast-1', ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d']],
    ['ca-central-1', ['ca-central-1a', 'ca-central-1b', 'ca-central-1d']],
    ['us-west-1', ['us-west-1a', 'us-west-1b']],
  ])('the default zones of %s', (region, zones) => {
    expect(regionZones(region)).toEqual(zones);
  });

  it.each([
    ['eu-west-1b', 'eu-west-1'],
    ['ap-southeast-4c', 'ap-southeast-4'],
    ['us-west-2-lax-1a', undefined],
    ['zone-a', undefined],
  ])('the region of zone %s is %s', (zone, region) => {
    expect(regionOfZone(zone)).toBe(region);
  });

  it('knows Local Zones as their parent region’s', () => {
    expect(zoneInRegion('us-west-2-lax-1a', 'us-west-2')).toBe(true);
    expect(zoneInRegion('us-east-1a', 'eu-west-1')).toBe(false);
  });

  it('refuses unknown regions, with the near miss or the list', () => {
    expect(regionProblem('eu-west-1')).toBeUndefined();
    expect(regionProblem('eu-west1')).toBe('unknown region "eu-west1"; did you mean eu-west-1?');
    expect(regionProblem('mars-1')).toContain('the commercial AWS regions are af-south-1, ap-east-1');
    expect(REGIONS).toHaveLength(34);
  });
});
