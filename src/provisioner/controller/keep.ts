/**
 * The start of a provisioner round: the holds (hold.ts) and the claims in flight (nominate.ts) keep
 * their pods, and the solver plans the rest — but a kept pod that would break a DoNotSchedule spread
 * once the plan is carried out (spread-trim.ts) is given back, and the round plans again with it
 * among the rest. Giving some back can change what the others keep, so this checks again, a few times
 * at most. The provisioner hands in its holds, its claims (`nominate`) and its solver (`plan`).
 */
import type { Plan, SolverInput } from '../solver/model.js';
import { applyHolds, type Held, type Hold } from './hold.js';
import type { Nominated } from './nominate.js';
import { afterPlan, overSpread } from './spread-trim.js';

/** Plans again at most this often in a round, each time giving back kept pods that break a spread. */
export const KEEP_PASSES = 2;

export interface KeepDeps {
  readonly holds: readonly Hold[];
  readonly now: number;
  /** The input with the claims in flight as nodes, each keeping its pods but those in `skip`. */
  readonly nominate: (input: SolverInput, skip: ReadonlySet<string>) => Nominated;
  readonly plan: (input: SolverInput) => Promise<Plan>;
}

export interface Kept {
  readonly hold: Held;
  readonly flying: Nominated;
  /** The kept pods given back (by the id they were kept under). */
  readonly skip: ReadonlySet<string>;
  readonly plan: Plan;
}

export async function keepAndPlan(input: SolverInput, d: KeepDeps): Promise<Kept> {
  const skip = new Set<string>();
  for (let pass = 0; ; pass++) {
    const hold = applyHolds(input, d.holds, d.now, skip);
    const flying = d.nominate(hold.input, skip);
    const plan = await d.plan(flying.input);
    const kept = [...hold.provisional, ...flying.provisional];
    const over = kept.some((k) => k.pod.spread.length > 0)
      ? overSpread(afterPlan(flying.input, plan), kept)
      : new Set<string>();
    const more = [...over].filter((id) => !skip.has(id));
    if (more.length === 0 || pass === KEEP_PASSES) return { hold, flying, skip, plan };
    for (const id of more) skip.add(id);
  }
}
