/**
 * The commercial AWS regions and their Availability Zone names, as facts: a zone is the region's name
 * and a letter. Letters are mapped to physical zones per account (and a few regions show an account
 * only some of them), so a cluster's own zones, from `zones` in policies.yaml or its NodePools, win
 * over these defaults. Pure.
 */

/** Region → the letters of its zones (AWS's Regions and Zones page, 2026-11). */
const ZONE_LETTERS: Readonly<Record<string, string>> = {
  'us-east-1': 'abcdef',
  'us-east-2': 'abc',
  'us-west-1': 'ab',
  'us-west-2': 'abcd',
  'af-south-1': 'abc',
  'ap-east-1': 'abc',
  'ap-east-2': 'abc',
  'ap-south-1': 'abc',
  'ap-south-2': 'abc',
  'ap-southeast-1': 'abc',
  'ap-southeast-2': 'abc',
  'ap-southeast-3': 'abc',
  'ap-southeast-4': 'abc',
  'ap-southeast-5': 'abc',
  'ap-southeast-6': 'abc',
  'ap-southeast-7': 'abc',
  'ap-northeast-1': 'acd',
  'ap-northeast-2': 'abcd',
  'ap-northeast-3': 'abc',
  'ca-central-1': 'abd',
  'ca-west-1': 'abc',
  'eu-central-1': 'abc',
  'eu-central-2': 'abc',
  'eu-west-1': 'abc',
  'eu-west-2': 'abc',
  'eu-west-3': 'abc',
  'eu-north-1': 'abc',
  'eu-south-1': 'abc',
  'eu-south-2': 'abc',
  'il-central-1': 'abc',
  'me-central-1': 'abc',
  'me-south-1': 'abc',
  'mx-central-1': 'abc',
  'sa-east-1': 'abc',
};

export const REGIONS: readonly string[] = Object.keys(ZONE_LETTERS).sort();

export function isRegion(name: string): boolean {
  return Object.hasOwn(ZONE_LETTERS, name);
}

/** The zones Berth assumes in a region when the cluster names none: its first three. */
export function regionZones(region: string): string[] {
  const letters = ZONE_LETTERS[region] ?? 'abc';
  return letters
    .slice(0, 3)
    .split('')
    .map((l) => `${region}${l}`);
}

/** The region a zone name belongs to (`eu-west-1b` → `eu-west-1`), or undefined for another shape. */
export function regionOfZone(zone: string): string | undefined {
  const m = /^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$/.exec(zone);
  return m?.[1];
}

/** The region of the zones, when they all name the same one. */
export function regionOfZones(zones: readonly string[] | undefined): string | undefined {
  const regions = new Set((zones ?? []).map(regionOfZone));
  const [only] = regions;
  return regions.size === 1 ? only : undefined;
}

/**
 * Why a region name cannot be used, or undefined when it can: unknown names are refused with the list,
 * so a typo (`eu-west1`) never silently prices and zones another region.
 */
export function regionProblem(name: string): string | undefined {
  if (isRegion(name)) return undefined;
  const near = REGIONS.filter((r) => r.replace(/-/g, '') === name.replace(/-/g, ''));
  return near.length > 0
    ? `unknown region "${name}"; did you mean ${near.join(' or ')}?`
    : `unknown region "${name}"; the commercial AWS regions are ${REGIONS.join(', ')}`;
}

/** Whether a zone is one of the region's: its AZs (`eu-west-1b`) and Local Zones (`us-west-2-lax-1a`). */
export function zoneInRegion(zone: string, region: string): boolean {
  return regionOfZone(zone) === region || zone.startsWith(`${region}-`);
}
