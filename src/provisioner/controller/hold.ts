/**
 * The re-buy guard. When a claim's Node joins, the pods planned onto it are held there for a while:
 * in the solver's input they are bound to that node (reserving their room and counting for its zone's
 * spread), not pending. A node that comes up unable to take them (less allocatable than its type
 * promised, a taint nobody lifts) then does not make every round buy again for the same pods; once the
 * hold ends, whatever is still waiting is planned afresh. Pure: the provisioner keeps the holds.
 */
import { instanceIdOf } from '../cloud/provider.js';
import { DISRUPTED_TAINT } from '../disruption/candidates.js';
import type { BoundPod, ExistingNode, PlannedNode, ReplicaGroup, SolverInput } from '../solver/model.js';
import { asBound, Binder, samePod, type Provisional } from './binder.js';

/** How long after its Node joins a claim holds the pods planned onto it. */
export const HOLD_MS = 120_000;

export interface Hold {
  readonly claim: string;
  readonly instanceId: string;
  readonly until: number;
  /** The pods the plan put on the claim, as the solver saw them when it launched. */
  readonly pods: readonly BoundPod[];
}

/** The pods a planned node holds, resolved from the round's input (pods by id, group replicas by name). */
export function plannedPods(node: PlannedNode, input: Pick<SolverInput, 'pods' | 'groups'>): BoundPod[] {
  const byId = new Map(input.pods.map((p) => [p.id, p]));
  const out: BoundPod[] = [];
  for (const id of node.pods) {
    const pod = byId.get(id);
    if (pod) out.push(asBound(pod));
    else {
      const g = input.groups?.find((x) => replicaOf(x, id));
      if (g) out.push({ ...asBound(g.pod), id });
    }
  }
  return out;
}

function replicaOf(g: ReplicaGroup, id: string): boolean {
  if (!id.startsWith(g.pod.id)) return false;
  const n = Number(id.slice(g.pod.id.length));
  return Number.isInteger(n) && n >= g.from && n < g.from + g.count;
}

/**
 * The hold's pods the node does not run yet: each pod bound there stands for one planned pod of its
 * workload (the scheduler binds any replica, not the one the plan named), so identical replicas
 * planned elsewhere (on a claim that never joined) are not held here.
 */
function unbound(h: Hold, node: ExistingNode): BoundPod[] {
  const left = [...h.pods];
  for (const b of node.pods) {
    const i = left.findIndex((want) => samePod(want, b));
    if (i >= 0) left.splice(i, 1);
  }
  return left;
}

/** The joined Nodes by their instance's id (from the providerID), looked up once per hold. */
type ByInstance = ReadonlyMap<string, ExistingNode>;

function byInstance(nodes: readonly ExistingNode[]): ByInstance {
  const out = new Map<string, ExistingNode>();
  for (const n of nodes) {
    const id = n.inFlight ? undefined : instanceIdOf(n.providerId);
    if (id !== undefined && !out.has(id)) out.set(id, n);
  }
  return out;
}

/** The Node the hold's claim joined as, found by its instance's providerID, whatever its state. */
const claimNode = (nodes: ByInstance, h: Hold): ExistingNode | undefined => nodes.get(h.instanceId);

/**
 * The claim's joined Node, while pods may still go there: not one cordoned, being deleted or being
 * disrupted (its NodeClaim deleted, consolidated, interrupted), whose planned pods need room elsewhere.
 */
function joinedNode(nodes: ByInstance, h: Hold): ExistingNode | undefined {
  const node = claimNode(nodes, h);
  if (!node || node.unschedulable === true || node.taints.some((t) => t.key === DISRUPTED_TAINT))
    return undefined;
  return node;
}

/** The hold's node (joined, whatever its state) runs a pod for each pod the hold was made for. */
function spent(h: Hold, nodes: ByInstance): boolean {
  const node = claimNode(nodes, h);
  return node !== undefined && unbound(h, node).length === 0;
}

/**
 * The input with each active hold applied: its pods the node does not run yet, while they still wait
 * (or are still only fed replicas), taken out of the demand and bound to the node they were planned
 * on. Holds past their time are dropped, and so is a hold whose node runs every pod it was held for:
 * it is spent, and a pod of the workload that waits later (one evicted by consolidation, a scale-in's
 * survivor) is planned afresh, not held for room the scheduler may not give it. A pod already bound
 * somewhere is not waiting, so it is not held; nor is one the node cannot take any more (hold-fit.ts:
 * its room went to other pods, or a pod bound there excludes it), nor one in `skip` (given back: keep.ts).
 */
export function applyHolds(
  input: SolverInput,
  holds: readonly Hold[],
  now: number,
  skip: ReadonlySet<string> = new Set(),
): Held {
  const nodes = byInstance(input.nodes);
  const active = holds.filter((h) => h.until > now && !spent(h, nodes));
  if (active.length === 0) return { input, active, held: 0, provisional: [] };
  const b = new Binder(input, skip);
  for (const h of active) {
    const node = joinedNode(nodes, h);
    if (node) b.bind(node, unbound(h, node));
  }
  return { input: b.result(), active, held: b.bound.size, provisional: b.provisional };
}

/** The holds applied: the input, the holds still active, how many pods they bound, and which. */
export interface Held {
  readonly input: SolverInput;
  readonly active: Hold[];
  readonly held: number;
  readonly provisional: readonly Provisional[];
}
