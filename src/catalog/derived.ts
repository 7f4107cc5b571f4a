/**
 * Catalogs made from another — a class's shape of the types, a pool's reservations or overlays — cached
 * per base catalog and key, so that a round asks for one cheaply and every reader sees the same object.
 */
import type { Catalog } from './catalog.js';
import type { InstanceType } from './instance-type.js';

const derived = new WeakMap<Catalog, Map<string, Catalog>>();

export interface Derivation {
  /** The types (the base's when left out). */
  readonly types?: readonly InstanceType[];
  /** The price of an offering (the base's when left out). */
  readonly price?: Catalog['price'];
}

/** The catalog `make` derives from `base`, made once per base and key (keys name their kind: `shape:`…). */
export function derivedCatalog(base: Catalog, key: string, make: () => Derivation): Catalog {
  let byKey = derived.get(base);
  if (!byKey) derived.set(base, (byKey = new Map<string, Catalog>()));
  let out = byKey.get(key);
  if (!out) {
    const d = make();
    const types = d.types ?? base.types;
    const index = d.types ? new Map(types.map((t) => [t.name, t])) : undefined;
    out = {
      source: base.source,
      region: base.region,
      zones: base.zones,
      types,
      byName: index ? (name) => index.get(name) : (name) => base.byName(name),
      price: d.price ?? ((type, zone, capacityType) => base.price(type, zone, capacityType)),
    };
    byKey.set(key, out);
  }
  return out;
}
