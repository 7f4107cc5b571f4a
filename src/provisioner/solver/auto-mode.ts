/**
 * Pods EKS Auto Mode serves: those no pool Berth provisions for could place, that an Auto Mode pool
 * takes (its requirements in its own vocabulary, its taints tolerated, an instance type that holds
 * them). Berth never launches for them; the plan says who does.
 */
import type { PoolView } from '../../scheduling/nodepool.js';
import { fittingTypes, poolTypesFor } from '../../scheduling/placement.js';
import { untoleratedTaint } from '../../scheduling/taints.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { SolverPod } from './model.js';
import { poolAllows } from './pools.js';
import { toRequests } from './resources.js';

/** The Auto Mode pool (highest weight first, then by name) that would take the pod, if any. */
export function autoModePoolFor(
  pod: SolverPod,
  pools: readonly PoolView[],
  catalog: Catalog,
): string | undefined {
  const req = toRequests(pod.requests);
  const auto = pools
    .filter((p) => p.autoMode)
    .sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name));
  for (const view of auto) {
    if (untoleratedTaint(view.taints, pod.tolerations)) continue;
    for (const term of pod.terms) {
      if (!poolAllows(view, term)) continue;
      if (fittingTypes(poolTypesFor(view, term, catalog), req).length > 0) return view.name;
    }
  }
  return undefined;
}
