/**
 * Nomination: the claims in flight keep the waiting pods they were launched for. A later round puts
 * them in its input as nodes with those pods bound (out of the demand) and plans only the rest.
 * Re-packing every waiting pod onto them instead can leave a few over where the launching round's
 * search found room for all — and buys a node for those few (kwok, basic at 1/10: a third node for 3
 * pods, 200 ms after the first round). A claim registered and not Ready yet keeps them on its Node.
 * Pure.
 */
import type { BoundPod, ExistingNode, Plan, SolverInput } from '../solver/model.js';
import { Binder, type Provisional } from './binder.js';

/** A claim in flight: its name, the pods its plan put on it, the Node it registered as (not Ready). */
export interface FlyingClaim {
  readonly claim: string;
  readonly pods: readonly BoundPod[];
  readonly registeredAs?: string | undefined;
}

/** A round's input with the claims in flight, and the waiting pods kept on them (id → node). */
export interface Nominated {
  readonly input: SolverInput;
  readonly nominated: ReadonlyMap<string, string>;
  /** The pods kept, with the pod each stands for (spread-trim.ts checks them). */
  readonly provisional: readonly Provisional[];
}

/**
 * The input with `flyingNodes` (the claims not registered, as nodes named by claim) added, and each
 * claim's pods still waiting bound to it or to its registered Node — those its room (or a pod there
 * excluding it) still allows, and not in `skip` (given back: keep.ts).
 */
export function nominate(
  input: SolverInput,
  flyingNodes: readonly ExistingNode[],
  claims: readonly FlyingClaim[],
  skip: ReadonlySet<string> = new Set(),
): Nominated {
  const b = new Binder({ ...input, nodes: [...input.nodes, ...flyingNodes] }, skip);
  for (const c of claims) {
    const node =
      flyingNodes.find((n) => n.name === c.claim) ??
      input.nodes.find((n) => c.registeredAs !== undefined && n.name === c.registeredAs);
    if (node) b.bind(node, c.pods, true);
  }
  return { input: b.result(), nominated: b.bound, provisional: b.provisional };
}

/**
 * The Node each waiting pod was put on, when it is there to take it (not `awaiting`): a pod held on
 * the node it was launched for (bound to it in the input), or one the plan bound to an existing Node.
 */
export function placedOn(
  waiting: ReadonlySet<string>,
  plan: Pick<Plan, 'bindings'>,
  input: Pick<SolverInput, 'nodes'>,
  awaiting: ReadonlySet<string>,
): Map<string, string> {
  const out = new Map<string, string>();
  const there = (pod: string) => waiting.has(pod) && !awaiting.has(pod);
  const existing = input.nodes.filter((n) => !n.inFlight);
  for (const n of existing) for (const p of n.pods) if (there(p.id)) out.set(p.id, n.name);
  const names = new Set(existing.map((n) => n.name));
  for (const b of plan.bindings) if (names.has(b.node) && there(b.pod)) out.set(b.pod, b.node);
  return out;
}
