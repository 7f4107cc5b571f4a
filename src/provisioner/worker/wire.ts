/**
 * The solver's input and answer as messages between the admission process's thread and the solver's
 * thread (structured clone). Functions do not cross: the catalog travels as what makes it (once per
 * catalog), the unavailable offerings as their keys, and the requirement sets get their class back on
 * arrival. Structured clone keeps shared references shared, so the shape a workload's replicas have in
 * common is copied once.
 */
import { Requirements } from '../../scheduling/requirements.js';
import type { CatalogOrigin } from '../../catalog/catalog.js';
import type { Plan, SolverInput, SolverPod } from '../solver/model.js';

/** A SolverInput without its functions and catalog. */
export type WireInput = Omit<SolverInput, 'catalog' | 'unavailable' | 'clock'> & {
  /** Offerings short of capacity, as `type/zone/capacityType`. */
  readonly unavailable: readonly string[];
};

export type ToSolver =
  | { readonly type: 'catalog'; readonly id: number; readonly origin: CatalogOrigin }
  | { readonly type: 'solve'; readonly id: number; readonly catalog: number; readonly input: WireInput };

export type FromSolver =
  | { readonly type: 'plan'; readonly id: number; readonly plan: Plan }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

export const offeringKey = (type: string, zone: string, capacityType: string): string =>
  `${type}/${zone}/${capacityType}`;

function rehydrate(terms: readonly Requirements[]): void {
  for (const t of terms)
    if (Object.getPrototypeOf(t) !== Requirements.prototype) Object.setPrototypeOf(t, Requirements.prototype);
}

/** Gives the cloned requirement sets their class back (pods, groups, daemonsets, pools). */
export function rehydrateInput(input: WireInput): void {
  const pods: readonly SolverPod[] = [...input.pods, ...(input.groups ?? []).map((g) => g.pod)];
  for (const p of pods) rehydrate(p.terms);
  for (const d of input.daemonSets) rehydrate(d.terms);
  for (const pool of input.pools) rehydrate([pool.requirements]);
}
