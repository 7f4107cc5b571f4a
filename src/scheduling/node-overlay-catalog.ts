/**
 * The catalog as a pool's overlays make it: matched offerings at the overlay's price, matched types
 * with the extended resources it states (those Berth models: GPUs, Neuron devices and cores; a
 * quantity replaces the type's own, as Karpenter's ApplyCapacityOverlay assigns it). Cached per
 * catalog and overlay.
 */
import type { Catalog } from '../catalog/catalog.js';
import { derivedCatalog } from '../catalog/derived.js';
import type { InstanceType, Resources } from '../catalog/instance-type.js';
import { ACCELERATORS, ACCELERATOR_KEYS } from '../kube/resources.js';
import { parseQuantity } from '../kube/quantity.js';
import { adjustedPrice, priceChange, type PoolOverlay } from './node-overlay.js';

/** An extended-resource quantity an overlay states, by Berth's resource key. */
function modelled(capacity: Readonly<Record<string, string | number>>): Partial<Resources> {
  const out: Partial<Resources> = {};
  for (const k of ACCELERATOR_KEYS) {
    const q = capacity[ACCELERATORS[k]];
    const n = q === undefined ? undefined : parseQuantity(q);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

function withCapacity(type: InstanceType, capacity: Readonly<Record<string, string | number>>): InstanceType {
  const add = modelled(capacity);
  if (Object.keys(add).length === 0) return type;
  return {
    ...type,
    capacity: { ...type.capacity, ...add },
    allocatable: { ...type.allocatable, ...add },
  };
}

export function overlaidCatalog(catalog: Catalog, overlay: PoolOverlay | undefined): Catalog {
  if (overlay === undefined) return catalog;
  return derivedCatalog(catalog, `overlay:${overlay.key}`, () => ({
    types: catalog.types.map((t) => {
      const cap = overlay.capacity.get(t.name);
      return cap ? withCapacity(t, cap) : t;
    }),
    price(type, zone, capacityType) {
      const base = catalog.price(type, zone, capacityType);
      if (base === null) return null;
      return adjustedPrice(base, priceChange(overlay, type.name, zone, capacityType));
    },
  }));
}
