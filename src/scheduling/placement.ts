/**
 * Can a pod land on any NodePool, and on which instance types? The verdict names the closest pool and
 * the requirement that fails, so a person can act on it. Used by the engine's placement rules and by
 * the solver to pre-filter instance types.
 */
import type { V1PodSpec } from '@kubernetes/client-node';
import type { Catalog } from '../catalog/catalog.js';
import { LABEL, WELL_KNOWN_LABELS, type InstanceType } from '../catalog/instance-type.js';
import type { PodRequests } from '../kube/resources.js';
import { poolCatalog, type PoolView } from './nodepool.js';
import { podRequirementTerms } from './pod-requirements.js';
import {
  allows,
  describeRequirement,
  intersect,
  satisfiable,
  type Requirement,
  type Requirements,
} from './requirements.js';
import { formatTaint, untoleratedTaint } from './taints.js';
import { inCatalogTerms, labelRole, type LabelRole } from './vocabulary.js';
import { conflictMessage, taintMessage } from './placement-messages.js';
import { derived, mapFor, memo } from '../util/memo.js';
import { describeShort, minValuesOf, shortOf } from './min-values.js';

export interface PoolFit {
  pool: PoolView;
  /** Instance types the pool allows for this pod, with at least one priced offering. */
  types: InstanceType[];
  /** Of those, the ones whose allocatable holds the pod's requests. */
  fitting: InstanceType[];
  /** Why the pool cannot take the pod at all (empty types), for the message; built on demand. */
  why?: () => string;
  /** Smaller is closer: 0 a match, 1 too small, 2 no instance type, 3 untolerated taint, 4+ requirement conflicts. */
  distance: number;
}

const OFFERING_KEYS: ReadonlySet<string> = new Set([LABEL.zone, LABEL.capacityType, LABEL.region]);

export interface Conflict {
  podReq: Requirement;
  poolReq: Requirement | undefined;
  role: LabelRole;
  /** Larger is farther: a pool label the pod selects on (a choice of pool) weighs more than an instance label. */
  weight: number;
}

/**
 * The pod's requirements a pool's nodes cannot meet. A label the pool does not set is fine when the
 * instance type supplies it (in the pool's vocabulary) or when the pod allows its absence.
 */
export function conflicts(term: Requirements, pool: PoolView): Conflict[] {
  const out: Conflict[] = [];
  for (const podReq of term.values()) {
    const poolReq = pool.requirements.get(podReq.key);
    const role = labelRole(podReq.key, pool.vocabulary);
    const weight = role.kind === 'pool' ? 3 : 1;
    if (poolReq === undefined) {
      if (role.kind === 'instance' || allows(podReq, undefined)) continue;
      out.push({ weight, podReq, poolReq, role });
    } else if (!satisfiable(intersect(poolReq, podReq))) {
      out.push({ weight, podReq, poolReq, role });
    }
  }
  return out;
}

/** Whether the requirements leave some zone and capacity type to offer a (priced) type in. */
function offerable(reqs: Requirements, catalog: Catalog): boolean {
  const zone = reqs.get(LABEL.zone);
  const ct = reqs.get(LABEL.capacityType);
  const zoneOk = catalog.zones.some((z) => zone === undefined || allows(zone, z));
  // reserved: a class's capacity reservations (reservations.ts) offer it; admission never denies for it.
  const ctOk = ['on-demand', 'spot', 'reserved'].some((c) => ct === undefined || allows(ct, c));
  return zoneOk && ctOk;
}

function typeAllowed(reqs: Requirements, type: InstanceType): boolean {
  for (const r of reqs.values()) {
    if (OFFERING_KEYS.has(r.key) || !WELL_KNOWN_LABELS.has(r.key)) continue;
    if (!allows(r, type.labels[r.key])) return false;
  }
  return true;
}

export function fitsAllocatable(type: InstanceType, req: PodRequests): boolean {
  const a = type.allocatable;
  return (
    req.cpuMillis <= a.cpuMillis &&
    req.memoryMiB <= a.memoryMiB &&
    req.ephemeralMiB <= a.ephemeralMiB &&
    req.nvidiaGpu <= a.nvidiaGpu &&
    req.amdGpu <= a.amdGpu &&
    req.neuron <= a.neuron &&
    req.neuronCore <= a.neuronCore
  );
}

const typeCache = new WeakMap<Catalog, Map<string, InstanceType[]>>();
const fitCache = new WeakMap<readonly InstanceType[], Map<string, InstanceType[]>>();
const poolTypeCache = new WeakMap<PoolView, WeakMap<Catalog, Map<string, InstanceType[]>>>();
const newTypeTable = () => new WeakMap<Catalog, Map<string, InstanceType[]>>();

/** The types whose allocatable holds the requests; memoized per type list and request shape. */
export function fittingTypes(types: readonly InstanceType[], req: PodRequests): InstanceType[] {
  const key = `${req.cpuMillis}/${req.memoryMiB}/${req.ephemeralMiB}/${req.nvidiaGpu}/${req.amdGpu}/${req.neuron}/${req.neuronCore}`;
  return memo(mapFor(fitCache, types), key, 1000, () => types.filter((t) => fitsAllocatable(t, req)));
}

/** A canonical key of a requirement set (equal sets, equal keys). */
export function requirementsKey(reqs: Requirements): string {
  const parts: string[] = [];
  for (const r of reqs.values()) {
    parts.push(
      `${r.key}|${String(r.complement)}|${[...r.values].sort().join(',')}|${r.gte}|${r.lte}|${String(r.allowsAbsent)}`,
    );
  }
  return parts.sort().join(';');
}

/** Instance types a pool offers for a pod term; memoized per pool view (a changed NodePool is a new view). */
export function poolTypesFor(pool: PoolView, term: Requirements, catalog: Catalog): InstanceType[] {
  const byCatalog = derived(poolTypeCache, pool, newTypeTable);
  return memo(mapFor(byCatalog, catalog), requirementsKey(term), 1000, () =>
    typesFor(inCatalogTerms(pool.requirements.merge(term), pool.vocabulary), poolCatalog(pool, catalog)),
  );
}

/** The catalog's types by label and value, for requirements that name values (`In`), built per label on first use. */
const labelIndex = new WeakMap<Catalog, Map<string, Map<string, InstanceType[]>>>();

function indexOf(catalog: Catalog, key: string): Map<string, InstanceType[]> {
  const byKey = derived(labelIndex, catalog, () => new Map<string, Map<string, InstanceType[]>>());
  let byValue = byKey.get(key);
  if (byValue) return byValue;
  byValue = new Map<string, InstanceType[]>();
  for (const t of catalog.types) {
    const v = t.labels[key];
    if (v === undefined) continue;
    const list = byValue.get(v);
    if (list) list.push(t);
    else byValue.set(v, [t]);
  }
  byKey.set(key, byValue);
  return byValue;
}

/**
 * The types worth checking against `reqs`: those carrying one of the values of its most selective `In`
 * requirement on an instance label (in catalog order), or every type. A pod that lists instance types
 * by name costs its list's length, not the catalog's size, per term.
 */
function candidates(reqs: Requirements, catalog: Catalog): readonly InstanceType[] {
  let best: { byValue: Map<string, InstanceType[]>; values: ReadonlySet<string>; count: number } | undefined;
  for (const r of reqs.values()) {
    if (!indexable(r)) continue;
    const byValue = indexOf(catalog, r.key);
    let count = 0;
    for (const v of r.values) count += byValue.get(v)?.length ?? 0;
    if (!best || count < best.count) best = { byValue, values: r.values, count };
  }
  if (!best || best.count >= catalog.types.length) return catalog.types;
  const found: InstanceType[] = [];
  for (const v of best.values) found.push(...(best.byValue.get(v) ?? []));
  const order = positions(catalog);
  return found.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

/** An `In` over an instance label: the types it allows are those the index holds under its values. */
function indexable(r: Requirement): boolean {
  return !r.complement && !r.allowsAbsent && !OFFERING_KEYS.has(r.key) && WELL_KNOWN_LABELS.has(r.key);
}

const positionCache = new WeakMap<Catalog, Map<InstanceType, number>>();
const positions = (catalog: Catalog) =>
  derived(positionCache, catalog, () => new Map(catalog.types.map((t, i) => [t, i])));

/** Instance types (with an offering) that satisfy a set of requirements; memoized per catalog. */
export function typesFor(reqs: Requirements, catalog: Catalog): InstanceType[] {
  return memo(mapFor(typeCache, catalog), requirementsKey(reqs), 5000, () => {
    if (!offerable(reqs, catalog)) return [];
    return candidates(reqs, catalog).filter((t) => t.onDemandPrice !== null && typeAllowed(reqs, t));
  });
}

/**
 * How much one placement may look at: a unit per (NodePool, node selector term) pair and per instance
 * type such a pair allows. Real pods use a few tens of thousands at most (3 terms × 7 pools × 1,365
 * types is 29k); an object with thousands of terms that each
 * allow hundreds of types and none fits would otherwise cost seconds of the one event loop that
 * answers admission for the whole cluster.
 */
export const PLACEMENT_BUDGET = 150_000;

/** A placement past its budget: the caller answers in its failure mode instead of a verdict. */
export class EvaluationBudgetError extends Error {
  override readonly name = 'EvaluationBudgetError';
}

export interface FitOptions {
  /** The pod's requirement terms, when the caller has them. */
  readonly terms?: readonly Requirements[];
  /** Work left for this placement (shared by the pools of one fitPools call). */
  readonly budget?: { left: number };
}

function spend(budget: { left: number }, units: number, terms: number): void {
  budget.left -= units;
  if (budget.left < 0)
    throw new EvaluationBudgetError(
      `placement gave up past ${PLACEMENT_BUDGET} instance types checked for ${terms} node selector terms × NodePools without a fit`,
    );
}

/** minValues (Strict): the types that hold the pod must keep the pool's minimum, or none is launched. */
function minValuesShort(pool: PoolView, types: InstanceType[], holding: InstanceType[]): PoolFit | undefined {
  const short = shortOf(holding, minValuesOf(pool));
  if (!short || types.length === 0) return undefined;
  return {
    pool,
    types,
    fitting: [],
    distance: 1,
    why: () => `needs NodePool ${pool.name}'s ${describeShort(short)}`,
  };
}

export function fitPool(
  spec: V1PodSpec,
  req: PodRequests,
  pool: PoolView,
  catalog: Catalog,
  o: FitOptions = {},
): PoolFit {
  const terms = o.terms ?? podRequirementTerms(spec);
  const budget = o.budget ?? { left: PLACEMENT_BUDGET };
  let best: PoolFit | undefined;
  const consider = (fit: PoolFit): void => {
    if (!best || fit.distance < best.distance) best = fit;
  };
  const matching = terms.filter((term) => {
    const found = conflicts(term, pool);
    const first = found[0];
    if (first)
      consider({
        pool,
        types: [],
        fitting: [],
        distance: 4 + found.reduce((n, c) => n + c.weight, 0) / 100,
        why: () => conflictMessage(first, pool),
      });
    return found.length === 0;
  });
  if (matching.length === 0)
    return best ?? { pool, types: [], fitting: [], distance: 4, why: () => 'has no node selector term' };
  const taint = untoleratedTaint(pool.taints, spec.tolerations ?? []);
  if (taint) {
    return {
      pool,
      types: [],
      fitting: [],
      distance: 3,
      why: () => taintMessage(pool, formatTaint(taint)),
    };
  }
  const noType = () => noTypeReason(pool, matching[0] ?? terms[0], catalog);
  for (const term of matching) {
    // A term that fits ends the search: no later term can come closer.
    if (best?.distance === 0) break;
    const types = poolTypesFor(pool, term, catalog);
    spend(budget, 1 + types.length, terms.length);
    const fitting = fittingTypes(types, req);
    consider(
      minValuesShort(pool, types, fitting) ??
        (types.length === 0
          ? { pool, types, fitting, distance: 2, why: noType }
          : { pool, types, fitting, distance: fitting.length > 0 ? 0 : 1 }),
    );
  }
  return best ?? { pool, types: [], fitting: [], distance: 4 };
}

/** `karpenter.k8s.aws/instance-generation` → `instance-generation`: what a person calls the label. */
const shortKey = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/**
 * Why a pool offers no instance type for a term, naming the requirement and a value: the types the
 * pod's own term allows, and the first of the pool's requirements that rules them all out ("m5 is
 * instance-generation 5; NodePool general requires instance-generation > 5").
 */
function noTypeReason(pool: PoolView, term: Requirements | undefined, catalog: Catalog): string {
  const generic = `finds no instance type NodePool ${pool.name} allows that meets its node requirements`;
  if (!term) return generic;
  const wanted = typesFor(inCatalogTerms(term, pool.vocabulary), catalog);
  const sample = wanted[0];
  if (!sample)
    return `asks for instance types no offering has (${[...term.values()].map(describeRequirement).join(', ')})`;
  for (const r of inCatalogTerms(pool.requirements, pool.vocabulary).values()) {
    if (OFFERING_KEYS.has(r.key) || !WELL_KNOWN_LABELS.has(r.key)) continue;
    if (wanted.some((t) => allows(r, t.labels[r.key]))) continue;
    const value = sample.labels[r.key];
    const what = value === undefined ? `has no ${shortKey(r.key)}` : `is ${shortKey(r.key)} ${value}`;
    const family = sample.labels[LABEL.family];
    const name =
      wanted.every((t) => t.labels[LABEL.family] === family) && family !== undefined ? family : sample.name;
    return `asks for ${name}, which ${what}; NodePool ${pool.name} requires ${describeRequirement({ ...r, key: shortKey(r.key) })}`;
  }
  return generic;
}

const RESOURCE_ORDER = [
  'cpuMillis',
  'memoryMiB',
  'ephemeralMiB',
  'nvidiaGpu',
  'amdGpu',
  'neuron',
  'neuronCore',
] as const satisfies readonly (keyof PodRequests)[];

/**
 * The instance type that comes closest to holding these requests: the largest in the resource no type
 * has enough of (CPU, memory, ephemeral storage, then accelerators), else the largest by memory then CPU.
 */
export function closestLargest(types: readonly InstanceType[], req: PodRequests): InstanceType | undefined {
  const by = (f: (t: InstanceType) => number) =>
    types.reduce<InstanceType | undefined>((b, t) => (b === undefined || f(t) > f(b) ? t : b), undefined);
  for (const k of RESOURCE_ORDER) {
    const best = by((t) => t.allocatable[k]);
    if (best && best.allocatable[k] < req[k]) return best;
  }
  return largest(types);
}

/** The largest (by allocatable memory, then CPU) of a set of instance types. */
export function largest(types: readonly InstanceType[]): InstanceType | undefined {
  let best: InstanceType | undefined;
  for (const t of types) {
    if (
      !best ||
      t.allocatable.memoryMiB > best.allocatable.memoryMiB ||
      (t.allocatable.memoryMiB === best.allocatable.memoryMiB &&
        t.allocatable.cpuMillis > best.allocatable.cpuMillis)
    ) {
      best = t;
    }
  }
  return best;
}

export function fitPools(
  spec: V1PodSpec,
  req: PodRequests,
  pools: readonly PoolView[],
  catalog: Catalog,
  terms: readonly Requirements[] = podRequirementTerms(spec),
): PoolFit[] {
  const budget = { left: PLACEMENT_BUDGET };
  return pools
    .map((p) => fitPool(spec, req, p, catalog, { terms, budget }))
    .sort((a, b) => a.distance - b.distance || a.pool.name.localeCompare(b.pool.name));
}
