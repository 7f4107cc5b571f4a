/**
 * Can a pod land on any NodePool, and on which instance types? The verdict names the closest pool and
 * the requirement that fails, so a person can act on it. Used by the engine's placement rules and by
 * the solver to pre-filter instance types.
 */
import type { V1PodSpec } from '@kubernetes/client-node';
import type { Catalog } from '../provisioner/catalog/catalog.js';
import { LABEL, WELL_KNOWN_LABELS, type InstanceType } from '../provisioner/catalog/instance-type.js';
import type { PodRequests } from '../kube/resources.js';
import type { PoolView } from './nodepool.js';
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
import { derived, mapFor, memo } from '../util/memo.js';

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

interface Conflict {
  podReq: Requirement;
  poolReq: Requirement | undefined;
  /** Larger is farther: a pool label the pod selects on (a choice of pool) weighs more than an instance label. */
  weight: number;
}

function conflicts(term: Requirements, pool: PoolView): Conflict[] {
  const out: Conflict[] = [];
  for (const podReq of term.values()) {
    const poolReq = pool.requirements.get(podReq.key);
    const weight = WELL_KNOWN_LABELS.has(podReq.key) ? 1 : 3;
    if (poolReq === undefined) {
      if (WELL_KNOWN_LABELS.has(podReq.key) || allows(podReq, undefined)) continue;
      out.push({ weight, podReq, poolReq });
    } else if (!satisfiable(intersect(poolReq, podReq))) {
      out.push({ weight, podReq, poolReq });
    }
  }
  return out;
}

/** Messages are built only when a rule reports them, not on every evaluation. */
function explainConflict(c: Conflict, pool: string): string {
  const has =
    c.poolReq === undefined ? `sets no ${c.podReq.key} label` : `allows ${describeRequirement(c.poolReq)}`;
  return `requires ${describeRequirement(c.podReq)} but NodePool ${pool} ${has}`;
}

function offered(reqs: Requirements, catalog: Catalog, type: InstanceType): boolean {
  if (type.onDemandPrice === null) return false;
  const zone = reqs.get(LABEL.zone);
  const ct = reqs.get(LABEL.capacityType);
  const zoneOk = catalog.zones.some((z) => zone === undefined || allows(zone, z));
  const ctOk = ['on-demand', 'spot'].some((c) => ct === undefined || allows(ct, c));
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
  return req.cpuMillis <= a.cpuMillis && req.memoryMiB <= a.memoryMiB && req.nvidiaGpu <= a.nvidiaGpu;
}

const typeCache = new WeakMap<Catalog, Map<string, InstanceType[]>>();
const fitCache = new WeakMap<readonly InstanceType[], Map<string, InstanceType[]>>();
const poolTypeCache = new WeakMap<PoolView, WeakMap<Catalog, Map<string, InstanceType[]>>>();
const newTypeTable = () => new WeakMap<Catalog, Map<string, InstanceType[]>>();

/** The types whose allocatable holds the requests; memoized per type list and request shape. */
export function fittingTypes(types: readonly InstanceType[], req: PodRequests): InstanceType[] {
  const key = `${req.cpuMillis}/${req.memoryMiB}/${req.nvidiaGpu}`;
  return memo(mapFor(fitCache, types), key, 1000, () => types.filter((t) => fitsAllocatable(t, req)));
}

/** A canonical key of a requirement set (equal sets, equal keys). */
export function requirementsKey(reqs: Requirements): string {
  const parts: string[] = [];
  for (const r of reqs.values()) {
    parts.push(
      `${r.key}|${String(r.complement)}|${[...r.values].sort().join(',')}|${r.greaterThan}|${r.lessThan}|${String(r.allowsAbsent)}`,
    );
  }
  return parts.sort().join(';');
}

/** Instance types a pool offers for a pod term; memoized per pool view (a changed NodePool is a new view). */
export function poolTypesFor(pool: PoolView, term: Requirements, catalog: Catalog): InstanceType[] {
  const byCatalog = derived(poolTypeCache, pool, newTypeTable);
  return memo(mapFor(byCatalog, catalog), requirementsKey(term), 1000, () =>
    typesFor(pool.requirements.merge(term), catalog),
  );
}

/** Instance types (with an offering) that satisfy a set of requirements; memoized per catalog. */
export function typesFor(reqs: Requirements, catalog: Catalog): InstanceType[] {
  return memo(mapFor(typeCache, catalog), requirementsKey(reqs), 5000, () =>
    catalog.types.filter((t) => typeAllowed(reqs, t) && offered(reqs, catalog, t)),
  );
}

export function fitPool(
  spec: V1PodSpec,
  req: PodRequests,
  pool: PoolView,
  catalog: Catalog,
  terms: readonly Requirements[] = podRequirementTerms(spec),
): PoolFit {
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
        why: () => explainConflict(first, pool.name),
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
      why: () => `does not tolerate NodePool ${pool.name}'s taint ${formatTaint(taint)}`,
    };
  }
  for (const term of matching) {
    const types = poolTypesFor(pool, term, catalog);
    const fitting = fittingTypes(types, req);
    consider(
      types.length === 0
        ? {
            pool,
            types,
            fitting,
            distance: 2,
            why: () => `finds no instance type NodePool ${pool.name} allows that meets its node requirements`,
          }
        : { pool, types, fitting, distance: fitting.length > 0 ? 0 : 1 },
    );
  }
  return best ?? { pool, types: [], fitting: [], distance: 4 };
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
  return pools
    .map((p) => fitPool(spec, req, p, catalog, terms))
    .sort((a, b) => a.distance - b.distance || a.pool.name.localeCompare(b.pool.name));
}
