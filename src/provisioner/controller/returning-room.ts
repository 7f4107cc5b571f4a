/**
 * The room of the pods a workload is bringing back, kept while its first pods arrive. When a
 * Deployment that shrank comes back (an HPA, a schedule), its ReplicaSet makes the pods in batches
 * and a round plans each batch as it comes: the first batch took the largest holes the low had left,
 * and the workload's larger pods, made a second later, found none and bought nodes (bench:cluster's
 * churn workload: 4–6 nodes at each high, all of them for its 3500m/28Gi pods, which disruption
 * removed again at the next low). Disruption keeps this room for the pods still to come
 * (disruption/returning.ts); a round now places its waiting pods together with those pods, on the
 * nodes as they are, and the room the latter take is not offered to the waiting ones. The solver
 * places larger pods first, so the plan is the one disruption kept the room by.
 *
 * The waiting pods of the workloads coming back (every one that came back within the window: the one
 * scaled first has made all its pods when the round runs) are placed with the pods still to come as
 * one: at the churn workload's second high the room the low had left was a little short, the pods
 * made first took theirs first, and the small pods among them were bought four nodes, the large a
 * fifth. Other waiting pods come first: when the pods still to come would leave one of them without
 * room it would have had, nothing is kept this round. Nothing is bought for a pod still to come. Pods
 * placed by where others are (spread, pod affinity) keep no such room: kube-scheduler counts only the
 * pods that exist. Karpenter plans only the pods that exist. Pure.
 */
import type { ExistingNode, Plan, SolverInput, SolverPod } from '../solver/model.js';
import { solve } from '../solver/solve.js';

/** How many of the pods `counted` selects a plan put on a node. */
function placedOf(plan: Plan, counted: (id: string) => boolean): number {
  let n = 0;
  for (const b of plan.bindings) if (counted(b.pod)) n++;
  return n;
}

/** A plan of `pods` on the nodes as they are: no pool, nothing bought. */
function onNodes(input: SolverInput, pods: readonly SolverPod[]): Plan {
  return solve({
    pods,
    ...(input.groups ? { groups: input.groups } : {}),
    nodes: input.nodes,
    pools: [],
    daemonSets: input.daemonSets,
    catalog: input.catalog,
    budgetMillis: 0,
    skipBound: true,
    keepStatic: false,
    placement: 'grow',
  });
}

export interface ReturningRoom {
  /** The input with the room of the pods still to come taken on the nodes that keep it. */
  readonly input: SolverInput;
  /** How many of the pods still to come have room kept (0 when none is kept this round). */
  readonly kept: number;
}

/**
 * A pod whose place depends on where other pods are (a topology spread, pod affinity or anti-affinity):
 * kube-scheduler counts only pods that exist, so room kept for pods still to come would skew its count.
 */
const placedByOthers = (p: SolverPod): boolean =>
  p.spread.length > 0 || p.affinity.length > 0 || p.antiAffinity.length > 0;

/**
 * The round's input with the room of `coming` (pods a workload is bringing back) kept (see the header).
 * `theirs`: the waiting pods of the workloads coming back, placed with the pods still to come as one
 * (which of a workload's pods takes which room is the workload's own affair); the others come first.
 */
export function keepReturningRoom(
  input: SolverInput,
  coming: readonly SolverPod[],
  theirs: ReadonlySet<string> = new Set(),
): ReturningRoom {
  const none = { input, kept: 0 };
  if (coming.length === 0 || input.nodes.length === 0) return none;
  const groups = input.groups ?? [];
  if ([...coming, ...input.pods, ...groups.map((g) => g.pod)].some(placedByOthers)) return none;
  const ids = new Set(coming.map((p) => p.id));
  const together = onNodes(input, [...input.pods, ...coming]);
  const others = (id: string) => !ids.has(id) && !theirs.has(id);
  const waiting =
    input.pods.filter((p) => !theirs.has(p.id)).length + groups.reduce((n, g) => n + g.count, 0);
  const placed = placedOf(together, others);
  if (placed < waiting && placedOf(onNodes(input, input.pods), others) > placed) return none;
  const byId = new Map(coming.map((p) => [p.id, p]));
  const taken = new Map<string, SolverPod[]>();
  for (const b of together.bindings) {
    const pod = byId.get(b.pod);
    if (!pod) continue;
    const list = taken.get(b.node);
    if (list) list.push(pod);
    else taken.set(b.node, [pod]);
  }
  if (taken.size === 0) return none;
  const nodes = input.nodes.map((n): ExistingNode => {
    const more = taken.get(n.name);
    if (!more) return n;
    const pods = more.map((p) => ({
      id: p.id,
      namespace: p.namespace,
      labels: p.labels,
      requests: p.requests,
    }));
    return { ...n, pods: [...n.pods, ...pods] };
  });
  let kept = 0;
  for (const list of taken.values()) kept += list.length;
  return { input: { ...input, nodes }, kept };
}
