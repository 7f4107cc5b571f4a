/**
 * The room of the pods a workload is bringing back, kept while its first pods arrive. When a
 * Deployment that shrank comes back (an HPA, a schedule), its ReplicaSet makes the pods in batches
 * and a round plans each batch as it comes: the first batch took the largest holes the low had left,
 * and the workload's larger pods, made a second later, found none and bought nodes (bench:cluster's
 * churn workload: 4–6 nodes at each high, all of them for its 3500m/28Gi pods, which disruption
 * removed again at the next low). Disruption keeps this room for the pods still to come
 * (disruption/returning.ts); a round now places its waiting pods together with those pods, on the
 * nodes as they are, larger pods first, and the room the latter take is not offered to the waiting ones.
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
import {
  expandGroups,
  type ExistingNode,
  type Plan,
  type SolverInput,
  type SolverPod,
} from '../solver/model.js';
import { largerFirst } from '../solver/resources.js';
import { solve } from '../solver/solve.js';

type Binding = Plan['bindings'][number];

/** How many of the pods `counted` selects the bindings put on a node. */
function placedOf(bindings: readonly Binding[], counted: (id: string) => boolean): number {
  let n = 0;
  for (const b of bindings) if (counted(b.pod)) n++;
  return n;
}

/** The nodes with the pods the bindings put on them. */
function withPlaced(
  nodes: readonly ExistingNode[],
  bindings: readonly Binding[],
  byId: ReadonlyMap<string, SolverPod>,
): ExistingNode[] {
  const taken = new Map<string, SolverPod[]>();
  for (const b of bindings) {
    const pod = byId.get(b.pod);
    if (!pod) continue;
    const list = taken.get(b.node);
    if (list) list.push(pod);
    else taken.set(b.node, [pod]);
  }
  return nodes.map((n): ExistingNode => {
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
}

/**
 * The bindings of `pods` on the nodes as they are (no pool, nothing bought), one size at a time, the
 * largest first, and within a size the pods that exist before those still to come (`coming`): the
 * solver fills a node from every shape of a class at once (fill.ts), so in one solve two small pods
 * took the hole the only large pod fits in, and the large one found none; and a pod still to come
 * that takes the room of one made since would have a node bought for the one that is there.
 */
function onNodes(
  input: SolverInput,
  pods: readonly SolverPod[],
  coming: ReadonlySet<string> = new Set(),
): Binding[] {
  const order = (a: SolverPod, b: SolverPod) =>
    largerFirst(a.requests, b.requests) || Number(coming.has(a.id)) - Number(coming.has(b.id));
  const sizes: SolverPod[][] = [];
  for (const p of [...pods].sort(order)) {
    const last = sizes[sizes.length - 1];
    if (last?.[0] && order(last[0], p) === 0) last.push(p);
    else sizes.push([p]);
  }
  const byId = new Map(pods.map((p) => [p.id, p]));
  const bindings: Binding[] = [];
  let nodes = input.nodes;
  for (const size of sizes) {
    const plan = solve({
      pods: size,
      nodes,
      pools: [],
      daemonSets: input.daemonSets,
      catalog: input.catalog,
      budgetMillis: 0,
      skipBound: true,
      keepStatic: false,
      placement: 'grow',
    });
    bindings.push(...plan.bindings);
    nodes = withPlaced(nodes, plan.bindings, byId);
  }
  return bindings;
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
 * `theirs`: the waiting pods and planned replicas (solver ids) of the workloads coming back, placed with
 * the pods still to come as one (which of a workload's pods takes which room is the workload's own
 * affair); the others come first.
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
  const waitingPods = [...input.pods, ...expandGroups(groups)];
  const together = onNodes(input, [...waitingPods, ...coming], ids);
  const others = (id: string) => !ids.has(id) && !theirs.has(id);
  const waiting = waitingPods.filter((p) => others(p.id)).length;
  const placed = placedOf(together, others);
  if (placed < waiting && placedOf(onNodes(input, waitingPods), others) > placed) return none;
  const kept = together.filter((b) => ids.has(b.pod));
  if (kept.length === 0) return none;
  const nodes = withPlaced(input.nodes, kept, new Map(coming.map((p) => [p.id, p])));
  return { input: { ...input, nodes }, kept: kept.length };
}
