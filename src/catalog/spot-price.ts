/**
 * Modelled spot prices. The shared data has no spot prices, so Berth models them as a deterministic
 * 0.30–0.70 × on-demand, varying by type and zone (a common assumption); every output that shows one
 * says it is modelled. In aws mode DescribeSpotPriceHistory replaces the model.
 */

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function spotPrice(type: string, zone: string, onDemand: number): number {
  const factor = 0.3 + (fnv1a(`${type}/${zone}`) % 4001) / 10000;
  return Math.round(onDemand * factor * 1e5) / 1e5;
}
