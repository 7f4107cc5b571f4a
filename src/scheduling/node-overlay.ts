/**
 * NodeOverlay (karpenter.sh/v1alpha1, Karpenter v1.7): prices and extended-resource capacity the
 * platform team states for the instance types of its NodePools — a savings plan's discount, a
 * negotiated price, GPU time-slicing. Resolved as Karpenter v1.14.1 resolves them
 * (pkg/controllers/nodeoverlay/controller.go and store.go): overlays in order of weight (highest
 * first, equal weights by name, descending: NodeOverlayList.OrderByWeight); for each pool and each
 * instance type, the offerings whose labels the overlay's requirements accept
 * (getOverlaidOfferings); the first overlay to set an offering's price or a resource keeps it; an
 * overlay that meets one of the same weight on the same offering or resource conflicts and is applied
 * nowhere. Pure.
 */
import { createHash } from 'node:crypto';
import { LABEL, type InstanceType } from '../catalog/instance-type.js';
import type { Catalog } from '../catalog/catalog.js';
import type { PoolView } from './nodepool.js';
import {
  allows,
  describeRequirement,
  requirement,
  type NodeSelectorRequirement,
  type Requirement,
} from './requirements.js';
import { overlayIssue } from './node-overlay-validation.js';

export const NODEOVERLAY_API_VERSION = 'karpenter.sh/v1alpha1';

export interface NodeOverlay {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string };
  spec: {
    requirements?: NodeSelectorRequirement[];
    /** An absolute USD/h, e.g. "0.25". */
    price?: string;
    /** "+0.1", "-0.05", "+10%", "-15%" (at most -100%). */
    priceAdjustment?: string;
    /** Extended resources the matched types' nodes have (cpu, memory, ephemeral-storage, pods refused). */
    capacity?: Record<string, string | number>;
    /** 1–10000; none is 0. */
    weight?: number;
  };
}

/** A pool as overlays match it: its name and its template's labels (Karpenter adds both). */
export interface OverlayPool {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** What the overlays do to one pool's instance types. */
export interface PoolOverlay {
  /** Identifies the content (catalogs are cached by it). */
  readonly key: string;
  /** type → its price rules, the first to match an offering setting its price. */
  readonly prices: ReadonlyMap<string, readonly PriceRule[]>;
  /** type → resource → quantity. */
  readonly capacity: ReadonlyMap<string, Readonly<Record<string, string | number>>>;
}

/**
 * An overlay's price for the offerings of one type it reaches: those whose zone and capacity type its
 * requirements accept (kept as requirements, so a zone the catalog did not list when they were
 * resolved is judged too).
 */
export interface PriceRule {
  readonly overlay: string;
  readonly zone: readonly Requirement[];
  readonly capacityType: readonly Requirement[];
  readonly change: string;
}

/** The price change an offering gets from a pool's overlay, if any (the first rule that accepts it). */
export function priceChange(
  overlay: PoolOverlay,
  type: string,
  zone: string,
  capacityType: string,
): string | undefined {
  return overlay.prices
    .get(type)
    ?.find(
      (r) => r.capacityType.every((q) => allows(q, capacityType)) && r.zone.every((q) => allows(q, zone)),
    )?.change;
}

/** Why an overlay is not applied: Karpenter's ValidationSucceeded=False reasons. */
export interface OverlayRejection {
  readonly reason: 'RuntimeValidation' | 'Conflict';
  readonly message: string;
}

export interface OverlayResolution {
  readonly byPool: ReadonlyMap<string, PoolOverlay>;
  readonly rejected: ReadonlyMap<string, OverlayRejection>;
  /** The overlays applied, in the order they were resolved. */
  readonly applied: readonly string[];
}

/**
 * A price as an overlay changes it (cloudprovider.AdjustedPrice): an unsigned value replaces it, a
 * signed one adds to it, a signed percentage scales it; never below 0.
 */
export function adjustedPrice(price: number, change: string | undefined): number {
  if (change === undefined || change === '') return price;
  if (!change.startsWith('+') && !change.startsWith('-')) return Number.parseFloat(change);
  const adjusted = change.endsWith('%')
    ? price * (1 + Number.parseFloat(change.slice(0, -1)) / 100)
    : price + Number.parseFloat(change);
  return adjusted >= 0 ? adjusted : 0;
}

/** Highest weight first; equal weights by name, descending (NodeOverlayList.OrderByWeight). */
export function byWeight(a: NodeOverlay, b: NodeOverlay): number {
  const wa = a.spec.weight ?? 0;
  const wb = b.spec.weight ?? 0;
  if (wa !== wb) return wb - wa;
  return a.metadata.name > b.metadata.name ? -1 : a.metadata.name < b.metadata.name ? 1 : 0;
}

interface PriceUpdate {
  readonly change: string;
  lowestWeight: number;
}
interface CapacityUpdate {
  readonly update: Record<string, string | number>;
  lowest: Readonly<Record<string, string | number>>;
  lowestWeight: number;
}
interface TypeUpdate {
  readonly price: Map<string, PriceUpdate>;
  readonly rules: PriceRule[];
  capacity?: CapacityUpdate;
}
type Store = Map<string, Map<string, TypeUpdate>>;

const CAPACITY_TYPES = ['on-demand', 'spot', 'reserved'] as const;

/** An overlay's requirements, split as offerings are matched: the type's labels, then zone and capacity type. */
interface Parsed {
  readonly typeLevel: readonly Requirement[];
  readonly zone: readonly Requirement[];
  readonly capacityType: readonly Requirement[];
}

function parsed(overlay: NodeOverlay): Parsed {
  const reqs = (overlay.spec.requirements ?? []).map(requirement);
  return {
    typeLevel: reqs.filter((r) => r.key !== LABEL.zone && r.key !== LABEL.capacityType),
    zone: reqs.filter((r) => r.key === LABEL.zone),
    capacityType: reqs.filter((r) => r.key === LABEL.capacityType),
  };
}

/** The offerings (`zone|capacityType`) of a type in a pool whose labels the overlay accepts. */
function overlaidOfferings(reqs: Parsed, pool: OverlayPool, type: InstanceType, catalog: Catalog): string[] {
  // Type-level first (most overlays name types, families or pools): no offering when it fails.
  const label = (key: string): string | undefined =>
    key === LABEL.nodePool
      ? pool.name
      : (type.labels[key] ?? pool.labels[key] ?? (key === LABEL.region ? catalog.region : undefined));
  if (!reqs.typeLevel.every((r) => allows(r, label(r.key)))) return [];
  const out: string[] = [];
  for (const capacityType of CAPACITY_TYPES) {
    if (!reqs.capacityType.every((r) => allows(r, capacityType))) continue;
    for (const zone of catalog.zones) {
      if (!reqs.zone.every((r) => allows(r, zone))) continue;
      if (catalog.price(type, zone, capacityType) !== null) out.push(`${zone}|${capacityType}`);
    }
  }
  return out;
}

function changeOf(overlay: NodeOverlay): string | undefined {
  return overlay.spec.price ?? overlay.spec.priceAdjustment;
}

function conflicts(update: TypeUpdate | undefined, overlay: NodeOverlay, offerings: string[]): boolean {
  if (!update) return false;
  const weight = overlay.spec.weight ?? 0;
  if (changeOf(overlay) !== undefined)
    for (const o of offerings) if (update.price.get(o)?.lowestWeight === weight) return true;
  const cap = update.capacity;
  if (overlay.spec.capacity && cap && cap.lowestWeight === weight)
    for (const r of Object.keys(overlay.spec.capacity)) if (Object.hasOwn(cap.lowest, r)) return true;
  return false;
}

function store(update: TypeUpdate, overlay: NodeOverlay, reqs: Parsed, offerings: string[]): void {
  const weight = overlay.spec.weight ?? 0;
  const change = changeOf(overlay);
  if (change !== undefined)
    update.rules.push({
      overlay: overlay.metadata.name,
      zone: reqs.zone,
      capacityType: reqs.capacityType,
      change,
    });
  if (change !== undefined)
    for (const o of offerings) {
      const had = update.price.get(o);
      if (had) had.lowestWeight = weight;
      else update.price.set(o, { change, lowestWeight: weight });
    }
  const capacity = overlay.spec.capacity;
  if (!capacity) return;
  if (!update.capacity) update.capacity = { update: { ...capacity }, lowest: capacity, lowestWeight: weight };
  else {
    for (const [r, q] of Object.entries(capacity))
      if (!Object.hasOwn(update.capacity.update, r)) update.capacity.update[r] = q;
    update.capacity.lowest = capacity;
    update.capacity.lowestWeight = weight;
  }
}

/** Each pool's types and the offerings the overlay reaches, or undefined when it conflicts. */
function matches(
  overlay: NodeOverlay,
  pools: readonly OverlayPool[],
  catalog: Catalog,
  s: Store,
  reqs: Parsed,
): { pool: string; type: string; offerings: string[] }[] | undefined {
  const out: { pool: string; type: string; offerings: string[] }[] = [];
  for (const pool of pools)
    for (const type of catalog.types) {
      const offerings = overlaidOfferings(reqs, pool, type, catalog);
      if (offerings.length === 0) continue;
      if (conflicts(s.get(pool.name)?.get(type.name), overlay, offerings)) return undefined;
      out.push({ pool: pool.name, type: type.name, offerings });
    }
  return out;
}

function poolOverlay(updates: Map<string, TypeUpdate>): PoolOverlay {
  const prices = new Map<string, readonly PriceRule[]>();
  const capacity = new Map<string, Record<string, string | number>>();
  for (const [type, u] of updates) {
    if (u.rules.length > 0) prices.set(type, u.rules);
    if (u.capacity) capacity.set(type, u.capacity.update);
  }
  const described = (r: PriceRule) => [
    r.overlay,
    r.change,
    ...[...r.zone, ...r.capacityType].map(describeRequirement),
  ];
  const key = createHash('sha256')
    .update(JSON.stringify([[...prices].map(([t, rules]) => [t, rules.map(described)]), [...capacity]]))
    .digest('hex')
    .slice(0, 16);
  return { key, prices, capacity };
}

/** The overlays resolved against the pools and the catalog (Karpenter's controller, one reconcile). */
export function resolveOverlays(
  overlays: readonly NodeOverlay[],
  pools: readonly OverlayPool[],
  catalog: Catalog,
): OverlayResolution {
  const s: Store = new Map();
  const rejected = new Map<string, OverlayRejection>();
  const applied: string[] = [];
  for (const overlay of [...overlays].sort(byWeight)) {
    const issue = overlayIssue(overlay);
    if (issue) {
      rejected.set(overlay.metadata.name, { reason: 'RuntimeValidation', message: issue.message });
      continue;
    }
    const reqs = parsed(overlay);
    const found = matches(overlay, pools, catalog, s, reqs);
    if (!found) {
      rejected.set(overlay.metadata.name, { reason: 'Conflict', message: 'conflict with another overlay' });
      continue;
    }
    for (const m of found) {
      let byType = s.get(m.pool);
      if (!byType) s.set(m.pool, (byType = new Map<string, TypeUpdate>()));
      let update = byType.get(m.type);
      if (!update) byType.set(m.type, (update = { price: new Map(), rules: [] }));
      store(update, overlay, reqs, m.offerings);
    }
    applied.push(overlay.metadata.name);
  }
  const byPool = new Map([...s].map(([pool, updates]) => [pool, poolOverlay(updates)]));
  return { byPool, rejected, applied };
}

/**
 * The pools with the overlays applied to them, and what was refused: the views every consumer reads
 * (the solver's offers, disruption's savings, `cost`) through poolCatalog.
 */
export function withOverlays(
  views: readonly PoolView[],
  overlays: readonly NodeOverlay[],
  catalog: Catalog,
): { views: PoolView[]; resolution: OverlayResolution } {
  if (overlays.length === 0)
    return { views: [...views], resolution: { byPool: new Map(), rejected: new Map(), applied: [] } };
  const resolution = resolveOverlays(
    overlays,
    views.map((v) => ({ name: v.name, labels: v.pool.spec.template.metadata?.labels ?? {} })),
    catalog,
  );
  return {
    views: views.map((v) => {
      const overlay = resolution.byPool.get(v.name);
      return overlay ? { ...v, overlay } : v;
    }),
    resolution,
  };
}
