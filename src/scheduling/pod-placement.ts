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
import { derived, mapFor, memo } from '../util/memo.js';
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
const cache = new WeakMap<readonly PoolView[], WeakMap<Catalog, Map<string, PodPlacement>>>();
const newTable = () => new WeakMap<Catalog, Map<string, PodPlacement>>();

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

/** The placement of pods with this spec and these requests on these NodePools, memoized. */
export function podPlacement(
  spec: V1PodSpec,
  req: PodRequests,
  pools: readonly PoolView[],
  catalog: Catalog,
): PodPlacement {
  const byCatalog = derived(cache, pools, newTable);
  return memo(mapFor(byCatalog, catalog), placementKey(spec, req), MAX_SHAPES, () =>
    computed(spec, req, pools, catalog),
  );
}
