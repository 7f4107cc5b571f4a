/**
 * What each NodePool can launch for the solver: its instance types with their allocatable after the
 * daemonsets that would run there, their cheapest offering, and the pool's zones, capacity types and
 * remaining limits.
 */
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL, type InstanceType } from '../../catalog/instance-type.js';
import { inCatalogTerms, isInstanceLabel } from '../../scheduling/vocabulary.js';
import {
  LIMIT_KEYS,
  limitCount,
  poolCatalog,
  type LimitKey,
  type PoolView,
} from '../../scheduling/nodepool.js';
import { typesFor } from '../../scheduling/placement.js';
import { allows, intersect, satisfiable, type Requirements } from '../../scheduling/requirements.js';
import { untoleratedTaint } from '../../scheduling/taints.js';
import type { DaemonSetShape, SolverInput } from './model.js';
import { addInto, fromAllocatable, sub, ZERO, type Res } from './resources.js';
import { DEFAULT_VOLUME, volumesPerHour } from '../../scheduling/node-cost.js';

export interface TypeOption {
  readonly type: InstanceType;
  /** Allocatable less the pool's daemonset overhead. */
  readonly cap: Res;
  /**
   * What a node of this type costs the solver's objective (USD/h): its cheapest available offering
   * anywhere the pool allows, plus the pool's node cost (its volumes and the per-node cost).
   */
  readonly price: number;
}

export interface PoolOption {
  readonly view: PoolView;
  /** The catalog as the pool sees it: its class's shape, its overlays' prices and capacity. */
  readonly catalog: Catalog;
  readonly overhead: Res;
  /** What each node of the pool costs beside its instance: its EBS volumes and the per-node cost (USD/h). */
  readonly nodeCost: number;
  /** Every type the pool allows with an available offering, cheapest first. */
  readonly types: readonly TypeOption[];
  readonly byName: ReadonlyMap<string, TypeOption>;
  readonly zones: readonly string[];
  readonly capacityTypes: readonly string[];
  /** What the pool may still add under its limits (Infinity when unlimited). */
  readonly remaining: Usage;
  /** The limits the pool sets (only these are checked). */
  readonly limited: readonly LimitKey[];
}

/** What a pool's nodes hold against its limits: their capacity and how many there are. */
export type Usage = Record<LimitKey, number>;

export function emptyUsage(): Usage {
  return Object.fromEntries(LIMIT_KEYS.map((k) => [k, 0])) as Usage;
}

/** Adds (sign 1) or takes away (sign -1) one node of `type` to a pool's usage; nothing for undefined. */
export function countType(u: Usage, type: InstanceType | undefined, sign: 1 | -1): void {
  if (type === undefined) return;
  for (const k of LIMIT_KEYS) u[k] += sign * limitCount(type, k);
}

const CAPACITY_TYPES = ['reserved', 'spot', 'on-demand'] as const;

/** Whether a requirement set and a term can hold together (every shared key satisfiable). */
export function compatible(a: Requirements, b: Requirements): boolean {
  for (const r of b.values()) {
    const other = a.get(r.key);
    if (other !== undefined && !satisfiable(intersect(other, r))) return false;
  }
  return true;
}

/**
 * Whether a pool's nodes can satisfy a pod term: shared keys intersect, and a key the pool does not set
 * is either an instance label (narrowed later) or one the pod allows to be absent.
 */
export function poolAllows(view: PoolView, term: Requirements): boolean {
  for (const r of term.values()) {
    const own = view.requirements.get(r.key);
    if (own === undefined) {
      if (!isInstanceLabel(r.key, view.vocabulary) && !allows(r, undefined)) return false;
    } else if (!satisfiable(intersect(own, r))) return false;
  }
  return true;
}

function runsOn(ds: DaemonSetShape, view: PoolView): boolean {
  if (untoleratedTaint(view.taints, ds.tolerations)) return false;
  return ds.terms.length === 0 || ds.terms.some((t) => compatible(view.requirements, t));
}

/** The cheapest available offering of a type, at the prices of its pool's catalog (poolCatalog). */
export function offeringPrice(
  input: Pick<SolverInput, 'unavailable'>,
  catalog: Catalog,
  type: InstanceType,
  zones: readonly string[],
  capacityTypes: readonly string[],
): { price: number; zone: string; capacityType: string } | undefined {
  let best: { price: number; zone: string; capacityType: string } | undefined;
  for (const capacityType of capacityTypes) {
    for (const zone of zones) {
      if (input.unavailable?.(type.name, zone, capacityType)) continue;
      const price = catalog.price(type, zone, capacityType);
      if (price !== null && (!best || price < best.price)) best = { price, zone, capacityType };
    }
  }
  return best;
}

function remainingOf(view: PoolView, used: Partial<Usage> | undefined): Usage {
  const out = emptyUsage();
  for (const k of LIMIT_KEYS) {
    const limit = view.limits[k];
    out[k] = limit === undefined ? Number.POSITIVE_INFINITY : limit - (used?.[k] ?? 0);
  }
  return out;
}

/** A pool's node cost: its volumes (Karpenter's default volume without a class) and the per-node cost. */
export function poolNodeCost(input: Pick<SolverInput, 'nodeCost'>, view: PoolView): number {
  return (view.volumesPerHour ?? DEFAULT_VOLUMES_PER_HOUR) + (input.nodeCost?.perNodePerHour ?? 0);
}

const DEFAULT_VOLUMES_PER_HOUR = volumesPerHour([DEFAULT_VOLUME]);

/** Each of these pools' node cost by name; undefined for a pool not among them. */
export function nodeCostsByPool(
  input: Pick<SolverInput, 'nodeCost'>,
  pools: readonly PoolView[],
): (nodePool: string) => number | undefined {
  const byName = new Map(pools.map((p) => [p.name, poolNodeCost(input, p)]));
  return (nodePool) => byName.get(nodePool);
}

export function poolOption(input: SolverInput, view: PoolView): PoolOption {
  const catalog: Catalog = input.catalog;
  const overhead: Res = { ...ZERO };
  for (const ds of input.daemonSets) if (runsOn(ds, view)) addInto(overhead, ds.requests);
  const zoneReq = view.requirements.get(LABEL.zone);
  const ctReq = view.requirements.get(LABEL.capacityType);
  const zones = catalog.zones.filter((z) => zoneReq === undefined || allows(zoneReq, z));
  const capacityTypes = CAPACITY_TYPES.filter((c) => ctReq === undefined || allows(ctReq, c));
  const types: TypeOption[] = [];
  const own = poolCatalog(view, catalog);
  const nodeCost = poolNodeCost(input, view);
  for (const type of typesFor(inCatalogTerms(view.requirements, view.vocabulary), own)) {
    const cap = sub(fromAllocatable(type.allocatable), overhead);
    if (cap.cpu <= 0 || cap.mem <= 0 || cap.pods <= 0) continue;
    const offer = offeringPrice(input, own, type, zones, capacityTypes);
    if (offer) types.push({ type, cap, price: offer.price + nodeCost });
  }
  types.sort((a, b) => a.price - b.price || a.type.name.localeCompare(b.type.name));
  const used = input.poolUsage?.get(view.name);
  return {
    view,
    catalog: own,
    overhead,
    nodeCost,
    types,
    byName: new Map(types.map((t) => [t.type.name, t])),
    zones,
    capacityTypes,
    remaining: remainingOf(view, used),
    limited: LIMIT_KEYS.filter((k) => view.limits[k] !== undefined),
  };
}

/**
 * Whether launching this type (in place of `replacing`, a new node of the plan changing type) keeps
 * the pool within its limits: capacity counts, and one node, as Karpenter counts them
 * (filterByRemainingResources; a `nodes` limit refuses every type once it is reached).
 */
export function withinLimits(
  pool: PoolOption,
  type: InstanceType,
  reserved: Readonly<Usage>,
  replacing?: InstanceType,
): boolean {
  for (const k of pool.limited)
    if (limitCount(type, k) - limitCount(replacing, k) + reserved[k] > pool.remaining[k]) return false;
  return true;
}

/** The limits a pool has no room left under for any of these types, by name (for messages). */
export function limitsReached(
  pool: PoolOption,
  types: readonly InstanceType[],
  reserved: Readonly<Usage>,
): LimitKey[] {
  return pool.limited.filter((k) => types.every((t) => limitCount(t, k) + reserved[k] > pool.remaining[k]));
}
