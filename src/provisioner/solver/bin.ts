/**
 * A node of the plan: an existing (or in-flight) node with fixed labels and capacity, or a new claim
 * that keeps every instance type its pods still allow and launches the cheapest that holds them.
 */
import { LABEL } from '../../catalog/instance-type.js';
import { poolTypesFor } from '../../scheduling/placement.js';
import { allows, Requirements } from '../../scheduling/requirements.js';
import { untoleratedTaint, type Taint } from '../../scheduling/taints.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { ExistingNode, SolverPod } from './model.js';
import {
  compatible,
  countType,
  poolAllows,
  withinLimits,
  type PoolOption,
  type TypeOption,
  type Usage,
} from './pools.js';
import { firstAtLeast, mayHold } from './price-index.js';
import { addInto, fitsWith, ZERO, type Res } from './resources.js';

export interface PoolState {
  readonly option: PoolOption;
  /** Capacity (and count) of the types the plan's new bins currently need, for the pool's limits. */
  reserved: Usage;
}

/** What accepting a pod's term would leave a new bin with. */
interface Narrowed {
  term: Requirements;
  types: readonly TypeOption[];
  zones: string[];
  capacityTypes: string[];
}

const EMPTY = new Requirements();

interface BinInit {
  name: string;
  existing: ExistingNode | undefined;
  pool: PoolState | undefined;
  labels: Record<string, string>;
  taints: readonly Taint[];
  shape: Narrowed;
  used: Res;
}

export class Bin {
  readonly pods: string[] = [];
  readonly used: Res;
  zone: string | undefined;
  private compat = new Map<string, Narrowed | null>();
  private maxCap: Res = { ...ZERO };
  /**
   * The cheapest type that holds `used` (new bins), kept for the pool's limits. A new bin's `used` counts
   * its pods only: each type's `cap` already leaves room for the pool's daemonsets.
   */
  current: TypeOption | undefined;

  readonly name: string;
  readonly existing: ExistingNode | undefined;
  readonly pool: PoolState | undefined;
  readonly labels: Record<string, string>;
  readonly taints: readonly Taint[];
  term: Requirements;
  types: readonly TypeOption[];
  zones: string[];
  capacityTypes: string[];

  private constructor(init: BinInit) {
    this.name = init.name;
    this.existing = init.existing;
    this.pool = init.pool;
    this.labels = init.labels;
    this.taints = init.taints;
    this.term = init.shape.term;
    this.types = init.shape.types;
    this.zones = init.shape.zones;
    this.capacityTypes = init.shape.capacityTypes;
    this.used = init.used;
    this.zone = init.existing ? init.existing.labels[LABEL.zone] : undefined;
    this.refreshMax();
  }

  static ofNode(node: ExistingNode): Bin {
    const used: Res = { ...ZERO };
    for (const p of node.pods) addInto(used, p.requests);
    const zone = node.labels[LABEL.zone];
    return new Bin({
      name: node.name,
      existing: node,
      pool: undefined,
      labels: { ...node.labels },
      taints: node.taints,
      shape: { term: EMPTY, types: [], zones: zone ? [zone] : [], capacityTypes: [] },
      used,
    });
  }

  static claim(name: string, pool: PoolState, narrowed: Narrowed): Bin {
    const bin = new Bin({
      name,
      existing: undefined,
      pool,
      labels: { ...pool.option.view.labels, [LABEL.hostname]: name },
      taints: pool.option.view.taints,
      shape: narrowed,
      used: { ...ZERO },
    });
    if (narrowed.zones.length === 1) bin.pin(narrowed.zones[0] ?? '');
    return bin;
  }

  get isNew(): boolean {
    return this.existing === undefined;
  }

  pin(zone: string): void {
    this.zone = zone;
    this.zones = [zone];
    this.labels[LABEL.zone] = zone;
  }

  /** The value of a topology key on this bin (undefined: not known yet, e.g. an unpinned zone). */
  domain(key: string): string | undefined {
    return this.labels[key];
  }

  /** Field by field, in place: a new bin of a whole pool takes the max over hundreds of types. */
  private refreshMax(): void {
    if (this.existing) {
      this.maxCap = { ...this.existing.allocatable };
      return;
    }
    const m: Res = { ...ZERO };
    for (const { cap } of this.types) {
      if (cap.cpu > m.cpu) m.cpu = cap.cpu;
      if (cap.mem > m.mem) m.mem = cap.mem;
      if (cap.pods > m.pods) m.pods = cap.pods;
      if (cap.gpu > m.gpu) m.gpu = cap.gpu;
      if (cap.eph > m.eph) m.eph = cap.eph;
      if (cap.amd > m.amd) m.amd = cap.amd;
      if (cap.neuron > m.neuron) m.neuron = cap.neuron;
      if (cap.core > m.core) m.core = cap.core;
    }
    this.maxCap = m;
  }

  /** Whether the pod's node requirements and tolerations allow this bin; the narrowed claim if new. */
  accepts(pod: SolverPod, placementKey: string, catalog: Catalog): Narrowed | null {
    const hit = this.compat.get(placementKey);
    if (hit !== undefined) return hit;
    const out = this.compute(pod, catalog);
    this.compat.set(placementKey, out);
    return out;
  }

  private compute(pod: SolverPod, catalog: Catalog): Narrowed | null {
    if (untoleratedTaint(this.taints, pod.tolerations)) return null;
    const node = this.existing;
    if (node) {
      if (node.unschedulable) return null;
      const ok = pod.terms.some((t) => t.matchesLabels(node.labels));
      return ok ? { term: EMPTY, types: [], zones: this.zones, capacityTypes: [] } : null;
    }
    const pool = this.pool?.option;
    if (!pool) return null;
    for (const t of pod.terms) {
      const n = narrow(pool, this, t, catalog);
      if (n) return n;
    }
    return null;
  }

  /**
   * The cheapest type holding `used + extra` within the pool's limits; undefined if none, or if none
   * costs at most `maxPrice`. Types are cheapest first: the search starts at `minPrice` (a bin that
   * grows needs no type cheaper than the one holding what it has) and stops past `maxPrice`.
   */
  typeFor(
    extra: Readonly<Res>,
    types: readonly TypeOption[] = this.types,
    maxPrice = Infinity,
    minPrice = 0,
  ): TypeOption | undefined {
    if (!fitsWith(this.maxCap, this.used, extra) && types === this.types) return undefined;
    for (let i = firstAtLeast(types, minPrice); i < types.length; i++) {
      const t = types[i] as TypeOption;
      if (t.price > maxPrice) return undefined;
      if (fitsWith(t.cap, this.used, extra) && this.withinLimits(t)) return t;
    }
    return undefined;
  }

  /** Whether the pool's limits allow this bin to be `t` in place of what it is now. */
  private withinLimits(t: TypeOption): boolean {
    const pool = this.pool;
    if (!pool) return true;
    return withinLimits(pool.option, t.type, pool.reserved, this.current?.type);
  }

  /** A quick no: whether the bin may hold `extra` too as a type of at most `maxPrice` (fits says for sure). */
  mayTake(extra: Readonly<Res>, types: readonly TypeOption[], maxPrice: number): boolean {
    if (this.existing) return fitsWith(this.existing.allocatable, this.used, extra);
    return mayHold(types, maxPrice, this.used.cpu + extra.cpu, this.used.mem + extra.mem);
  }

  /** Whether the bin holds `extra` too, a new one as a type of at most `maxPrice`. */
  fits(extra: Readonly<Res>, narrowed: Narrowed | null, maxPrice = Infinity): boolean {
    if (this.existing) return fitsWith(this.existing.allocatable, this.used, extra);
    const types = narrowed && narrowed.types !== this.types ? narrowed.types : this.types;
    return this.typeFor(extra, types, maxPrice, this.current?.price) !== undefined;
  }

  /** Places `count` identical pods; the caller has checked that they fit. */
  add(ids: readonly string[], one: Readonly<Res>, narrowed: Narrowed | null): void {
    if (this.isNew && narrowed && narrowed.types !== this.types) this.narrowTo(narrowed);
    addInto(this.used, one, ids.length);
    this.pods.push(...ids);
    this.retype(this.current?.price);
  }

  /** Takes pods of `one` off this new bin, which may then be a cheaper type. */
  remove(ids: readonly string[], one: Readonly<Res>): void {
    const gone = new Set(ids);
    const kept = this.pods.filter((id) => !gone.has(id));
    this.pods.splice(0, this.pods.length, ...kept);
    addInto(this.used, one, -ids.length);
    this.retype();
  }

  /** The cheapest type holding `used` now, with the pool's reserved capacity following it. */
  private retype(minPrice = 0): void {
    if (!this.pool) return;
    const next = this.typeFor(ZERO, this.types, Infinity, minPrice);
    const pool = this.pool;
    countType(pool.reserved, this.current?.type, -1);
    countType(pool.reserved, next?.type, 1);
    this.current = next;
  }

  private narrowTo(narrowed: Narrowed): void {
    this.term = narrowed.term;
    this.types = narrowed.types;
    this.capacityTypes = narrowed.capacityTypes;
    if (narrowed.zones.length < this.zones.length) {
      this.zones = narrowed.zones;
      if (this.zones.length === 1) this.pin(this.zones[0] ?? '');
    }
    this.compat.clear();
    this.refreshMax();
  }
}

/** What a bin costs the plan now: its current type's whole price (0 for an existing node's bin). */
export const priceOf = (b: Bin): number => b.current?.price ?? 0;

/** A claim on the whole pool, before any pod narrows it. */
export function wholePool(pool: PoolOption): Narrowed {
  return {
    term: EMPTY,
    // The pool's own array, shared (never changed in place): what is cached by a bin's types (the
    // types' ranking at shadow prices) is then computed once per pool, not once per new bin.
    types: pool.types,
    zones: [...pool.zones],
    capacityTypes: [...pool.capacityTypes],
  };
}

/** A new bin narrowed by one pod term: its requirements, types, zones and capacity types. */
export function narrow(
  pool: PoolOption,
  bin: Pick<Bin, 'term' | 'types' | 'zones' | 'capacityTypes'>,
  term: Requirements,
  catalog: Catalog,
): Narrowed | null {
  if (term.keys().next().done === true) return bin;
  if (!poolAllows(pool.view, term) || !compatible(bin.term, term)) return null;
  const merged = bin.term.merge(term);
  const allowed = new Set(poolTypesFor(pool.view, merged, catalog).map((t) => t.name));
  const types = bin.types.filter((t) => allowed.has(t.type.name));
  const zoneReq = merged.get(LABEL.zone);
  const ctReq = merged.get(LABEL.capacityType);
  const zones = bin.zones.filter((z) => zoneReq === undefined || allows(zoneReq, z));
  const capacityTypes = bin.capacityTypes.filter((c) => ctReq === undefined || allows(ctReq, c));
  if (types.length === 0 || zones.length === 0 || capacityTypes.length === 0) return null;
  return { term: merged, types, zones, capacityTypes };
}
