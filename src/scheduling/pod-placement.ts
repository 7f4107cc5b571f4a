/**
 * A pod template's placement on the NodePools: what its pods require of a node (the requirement
 * terms) and how each NodePool takes them. Both depend only on the node selector, the required node
 * affinity, the tolerations and the requests, so they are memoized per (NodePools, catalog) under a
 * key of exactly those fields: every review of a workload shape after the first costs building that
 * key and one lookup.
 */
import type { V1PodSpec } from '@kubernetes/client-node';
import type { Catalog } from '../catalog/catalog.js';
import type { PodRequests } from '../kube/resources.js';
import { derived, memo } from '../util/memo.js';
import { jsonEqual } from '../util/json-equal.js';
import type { PoolView } from './nodepool.js';
import { podRequirementTerms } from './pod-requirements.js';
import { fitPools, type PoolFit } from './placement.js';
import type { Requirements } from './requirements.js';

export interface PodPlacement {
  /** The alternatives (OR) of what the pods require of a node. */
  readonly terms: readonly Requirements[];
  /** NodePool fits, closest first (computed on first use, then shared). */
  fits(): readonly PoolFit[];
}

const MAX_SHAPES = 2000;
/** Shapes compared field by field before a key is built (the last ones looked up). */
const RECENT = 4;

/** A shape looked up lately: the fields of its key (copies) and its placement. */
interface Recent {
  nodeSelector: unknown;
  required: unknown;
  tolerations: unknown;
  req: PodRequests;
  placement: PodPlacement;
}

interface Table {
  byKey: Map<string, PodPlacement>;
  recent: Recent[];
  /** Where the next miss goes in `recent`. */
  next: number;
}

const cache = new WeakMap<readonly PoolView[], WeakMap<Catalog, Table>>();
const newTable = () => new WeakMap<Catalog, Table>();
const newEntry = (): Table => ({ byKey: new Map(), recent: [], next: 0 });

/** The fields placement reads, as a key (equal keys, equal placement). */
export function placementKey(spec: V1PodSpec, req: PodRequests): string {
  return JSON.stringify([
    spec.nodeSelector ?? null,
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null,
    spec.tolerations ?? null,
    req.cpuMillis,
    req.memoryMiB,
    req.ephemeralMiB,
    req.nvidiaGpu,
    req.amdGpu,
    req.neuron,
    req.neuronCore,
  ]);
}

function computed(
  spec: V1PodSpec,
  req: PodRequests,
  pools: readonly PoolView[],
  catalog: Catalog,
): PodPlacement {
  const terms = podRequirementTerms(spec);
  const tolerations = spec.tolerations;
  // Only the fields in the key are kept: the placement outlives this spec.
  const shape: V1PodSpec = tolerations === undefined ? { containers: [] } : { containers: [], tolerations };
  let fits: readonly PoolFit[] | undefined;
  return { terms, fits: () => (fits ??= fitPools(shape, req, pools, catalog, terms)) };
}

function sameRequests(a: PodRequests, b: PodRequests): boolean {
  return (
    a.cpuMillis === b.cpuMillis &&
    a.memoryMiB === b.memoryMiB &&
    a.ephemeralMiB === b.ephemeralMiB &&
    a.nvidiaGpu === b.nvidiaGpu &&
    a.amdGpu === b.amdGpu &&
    a.neuron === b.neuron &&
    a.neuronCore === b.neuronCore
  );
}

/** The placement of a recent lookup with the same key fields (what placementKey reads), if any. */
function recentHit(table: Table, spec: V1PodSpec, req: PodRequests): PodPlacement | undefined {
  for (const r of table.recent)
    if (
      sameRequests(r.req, req) &&
      jsonEqual(r.nodeSelector, spec.nodeSelector ?? null) &&
      jsonEqual(
        r.required,
        spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null,
      ) &&
      jsonEqual(r.tolerations, spec.tolerations ?? null)
    )
      return r.placement;
  return undefined;
}

/**
 * The placement of pods with this spec and these requests on these NodePools, memoized. The last
 * few shapes are compared field by field first: reviews come in runs of one shape (a rollout's pods),
 * and comparing costs a fraction of building the key.
 */
export function podPlacement(
  spec: V1PodSpec,
  req: PodRequests,
  pools: readonly PoolView[],
  catalog: Catalog,
): PodPlacement {
  const byCatalog = derived(cache, pools, newTable);
  let table = byCatalog.get(catalog);
  if (table === undefined) byCatalog.set(catalog, (table = newEntry()));
  const hit = recentHit(table, spec, req);
  if (hit !== undefined) return hit;
  const key = placementKey(spec, req);
  const placement = memo(table.byKey, key, MAX_SHAPES, () => computed(spec, req, pools, catalog));
  // Copies: the placement outlives the review whose spec this is.
  const [nodeSelector, required, tolerations] = JSON.parse(key) as unknown[];
  table.recent[table.next] = { nodeSelector, required, tolerations, req: { ...req }, placement };
  table.next = (table.next + 1) % RECENT;
  return placement;
}
