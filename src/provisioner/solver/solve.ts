/**
 * The provisioner's solver: `(pending pods, nodes, in-flight claims, NodePools, daemonsets, instance
 * types) → plan`. Pure and deterministic. Pods with inter-pod constraints are placed first, one at a
 * time in the scheduler's order; the rest are packed by class onto existing nodes, then onto the plan's
 * claims, then onto new claims chosen for value at the LP's shadow prices. Every new claim launches the
 * cheapest offering that holds it.
 */
import { explainAll } from './explain.js';
import { finalize } from './finalize.js';
import { asInFlight, staticLaunches, withStatic } from './static-pools.js';
import { packClass, type FreeClass, type Packed, type Shape } from './free.js';
import { improve } from './improve.js';
import { lowerBound } from './bound.js';
import { autoModePoolFor } from './auto-mode.js';
import { expandGroups, type Plan, type ServedByAutoMode, type SolverInput, type SolverPod } from './model.js';
import { placeOne } from './place-one.js';
import { priceTotals, wholePerHour } from './totals.js';
import { DEFAULT_FEWER_NODES_WITHIN } from '../../scheduling/node-cost.js';
import { shrink } from './shrink.js';
import { mergeNodes } from './merge.js';
import { Relocator } from './relocate.js';
import { priceOf } from './bin.js';
import { largerFirst } from './resources.js';
import { SolverState } from './state.js';
import type { PodTopology } from './topology.js';

function bySize(a: SolverPod, b: SolverPod): number {
  return largerFirst(a.requests, b.requests) || a.id.localeCompare(b.id);
}

function classesOf(state: SolverState, pods: readonly { pod: SolverPod; topo: PodTopology }[]): FreeClass[] {
  const classes = new Map<string, { sample: SolverPod; shapes: Map<string, Shape> }>();
  for (const { pod, topo } of pods) {
    const placement = state.placementKey(pod);
    let c = classes.get(placement);
    if (!c) classes.set(placement, (c = { sample: pod, shapes: new Map() }));
    const key = state.shapeKey(pod);
    let s = c.shapes.get(key);
    if (!s) c.shapes.set(key, (s = { key, req: pod.requests, topo, pods: [] }));
    s.pods.push(pod);
  }
  // Pods are taken from the end of each shape: keep ids ascending in placement order.
  const out = [...classes.values()].map((c) => ({ sample: c.sample, shapes: [...c.shapes.values()] }));
  for (const c of out) for (const s of c.shapes) s.pods.reverse();
  return out;
}

/** Failed pods an Auto Mode pool takes are EKS's to serve, not unschedulable. */
function byAutoMode(
  failed: readonly SolverPod[],
  input: SolverInput,
): { autoMode: ServedByAutoMode[]; rest: SolverPod[] } {
  const autoMode: ServedByAutoMode[] = [];
  const rest: SolverPod[] = [];
  const any = input.pools.some((p) => p.autoMode);
  for (const pod of failed) {
    const nodePool = any ? autoModePoolFor(pod, input.pools, input.catalog) : undefined;
    if (nodePool === undefined) rest.push(pod);
    else autoMode.push({ pod: pod.id, nodePool });
  }
  autoMode.sort((a, b) => a.pod.localeCompare(b.pod));
  return { autoMode, rest };
}

/**
 * Pods with inter-pod constraints, one at a time in the scheduler's order; those that fail are tried
 * again while a pass places any (a pod whose affinity selects pods placed after it, as kube-scheduler
 * and Karpenter's queue retry it), and once more after the other pods are packed. What still fails
 * is unschedulable.
 */
function placeConstrained(
  state: SolverState,
  pods: readonly { pod: SolverPod; topo: PodTopology }[],
): { pod: SolverPod; topo: PodTopology }[] {
  let pending = pods;
  for (;;) {
    const failed = pending.filter(({ pod, topo }) => !placeOne(state, pod, topo));
    if (failed.length === 0 || failed.length === pending.length) return failed;
    pending = failed;
  }
}

/** What the plan's new nodes cost now (whole prices). */
function newPrice(state: SolverState): number {
  return state.bins.reduce((sum, b) => sum + (b.isNew ? priceOf(b) : 0), 0);
}

/**
 * The LP bound of these pods, once per input and set of pods: each placement order asks it twice
 * (before improving, and for the plan), most often of every pod.
 */
const bounds = new WeakMap<SolverInput, Map<string, number>>();

function boundOf(state: SolverState, pods: readonly SolverPod[]): number {
  let known = bounds.get(state.input);
  if (!known) bounds.set(state.input, (known = new Map<string, number>()));
  const key = pods.map((p) => p.id).join('\n');
  let b = known.get(key);
  if (b === undefined) known.set(key, (b = lowerBound(state, pods)));
  return b;
}

/** Improvement can gain at most what separates the plan from the LP bound: within 1 %, it is skipped. */
const CLOSE_ENOUGH = 1.01;

function closeToBound(state: SolverState, input: SolverInput): boolean {
  if (input.skipBound === true) return false;
  const ids = new Set(state.bins.flatMap((b) => (b.isNew ? b.pods : [])));
  const cost = newPrice(state);
  const bound = boundOf(
    state,
    input.pods.filter((p) => ids.has(p.id)),
  );
  return bound > 0 && cost <= bound * CLOSE_ENOUGH;
}

/**
 * The better of two plans: fewer pods left out; then, within `within` (a fraction) of the cheaper
 * whole price, fewer new nodes; then cheaper. Ties keep `a`.
 */
export function better(a: Plan, b: Plan, within = DEFAULT_FEWER_NODES_WITHIN): Plan {
  if (a.unschedulable.length !== b.unschedulable.length)
    return a.unschedulable.length < b.unschedulable.length ? a : b;
  const pa = wholePerHour(a.totals);
  const pb = wholePerHour(b.totals);
  if (a.totals.nodes !== b.totals.nodes && Math.abs(pa - pb) <= within * Math.min(pa, pb))
    return a.totals.nodes < b.totals.nodes ? a : b;
  return pb < pa ? b : a;
}

/**
 * The plan for the input's pods. Static NodePools first get the nodes they lack (static-pools.ts):
 * planned as new nodes the pods may use, and in the plan even when none does.
 */
export function solve(given: SolverInput): Plan {
  const statics = given.keepStatic === false ? [] : staticLaunches(given);
  if (statics.length === 0) return solveWhole(given);
  const plan = solveWhole({ ...given, nodes: [...given.nodes, ...statics.map(asInFlight)] });
  return withStatic(
    plan,
    statics.map((s) => s.node),
  );
}

/**
 * With a per-node cost, the packing's greedy is also run without it and that plan priced with it: the
 * greedy picks nodes by worth per dollar, and a fixed cost per node can lead it to dearer types than
 * the cost saves (generic pods at $0.03 a node: 2.8% dearer in all). The cheaper whole plan is kept.
 */
function solveWhole(input: SolverInput): Plan {
  const perNode = input.nodeCost?.perNodePerHour ?? 0;
  const main = solvePods(input);
  if (perNode <= 0 || input.budgetMillis === undefined || input.budgetMillis <= 0) return main;
  const nodeCost = {
    preferFewerNodesWithin: DEFAULT_FEWER_NODES_WITHIN,
    ...input.nodeCost,
    perNodePerHour: 0,
  };
  // The pools' memo holds types priced with the per-node cost: not for this plan.
  const plain = solvePods({ ...withoutMemo(input), nodeCost });
  const nodes = plain.nodes.map((n) =>
    n.existing ? n : { ...n, nodeCostPerHour: (n.nodeCostPerHour ?? 0) + perNode },
  );
  const priced: Plan = {
    ...plain,
    nodes,
    totals: { ...plain.totals, ...priceTotals(nodes.filter((n) => !n.existing)) },
    lowerBound: main.lowerBound,
  };
  const kept = better(main, priced, input.nodeCost?.preferFewerNodesWithin);
  return {
    ...kept,
    totals: { ...kept.totals, solveMillis: main.totals.solveMillis + plain.totals.solveMillis },
  };
}

function withoutMemo(input: SolverInput): SolverInput {
  const out: { -readonly [K in keyof SolverInput]?: SolverInput[K] } = { ...input };
  delete out.poolMemo;
  return out as SolverInput;
}

function solvePods(given: SolverInput): Plan {
  // Replica groups become pods here, in the solver's process, never in the caller's.
  const input: SolverInput =
    given.groups && given.groups.length > 0
      ? { ...given, pods: [...given.pods, ...expandGroups(given.groups)], groups: [] }
      : given;
  const clock = input.clock ?? (() => performance.now());
  const start = clock();
  const placement = input.placement ?? 'both';
  if (placement === 'grow') return solveOnce(input, false, clock, start).plan;
  // Room already paid for first: with the merge pass it is the better order on every workload of the
  // side-by-side bench. The second order only matters when some pod has inter-pod constraints, and it
  // runs within the budget (without one, always): a plan of thousands of constrained pods is not
  // made twice on the pod-creation path.
  const room = solveOnce(input, true, clock, start);
  const budget = input.budgetMillis ?? 0;
  if (placement === 'room' || !room.constrained || (budget > 0 && clock() - start >= budget))
    return room.plan;
  const grow = solveOnce(input, false, clock, start);
  const plan = better(room.plan, grow.plan, input.nodeCost?.preferFewerNodesWithin);
  return { ...plan, totals: { ...plan.totals, solveMillis: Math.round(clock() - start) } };
}

function solveOnce(
  input: SolverInput,
  roomFirst: boolean,
  clock: () => number,
  start: number,
): { plan: Plan; constrained: boolean } {
  const state = new SolverState(input, roomFirst);
  const pods = [...input.pods].sort(bySize).map((pod) => ({ pod, topo: state.topology.of(pod) }));
  const unplaced = placeConstrained(
    state,
    pods.filter((p) => p.topo.constrained),
  );
  const classes = classesOf(
    state,
    pods.filter((p) => !p.topo.constrained),
  );
  const packed: Packed[] = [];
  for (const c of classes) packed.push(packClass(state, c));
  const budget = input.budgetMillis ?? 0;
  // Improvement (ruin and recreate, then the shrink pass below) runs within the budget, and not at
  // all when the plan is already within 1% of the LP bound.
  const improving = budget > 0 && !closeToBound(state, input);
  const timeLeft = () => clock() - start < budget;
  if (improving) improve(state, packed, timeLeft);
  // Once the other pods are where they stay (the improvement moves only those), an affinity may find
  // the pods it selects.
  const failed = placeConstrained(state, unplaced).map((p) => p.pod);
  for (const c of classes) for (const s of c.shapes) failed.push(...s.pods);
  if (improving) {
    const free = new Map(
      pods.filter((p) => !p.topo.constrained && p.topo.matched.length === 0).map((p) => [p.pod.id, p.pod]),
    );
    const relocator = new Relocator(state, pods);
    shrink(state, timeLeft, free, relocator);
    const within = input.nodeCost?.preferFewerNodesWithin ?? DEFAULT_FEWER_NODES_WITHIN;
    // Cheap (one bounded type search per pair of nodes of a pool): not held to the budget.
    mergeNodes(state, free, relocator, { allowance: within * newPrice(state) });
  }
  const lost = new Map<string, string>();
  const nodes = finalize(state.bins, input, lost);
  const lostSet = new Set(lost.keys());
  const { autoMode, rest } = byAutoMode(failed, input);
  const unschedulable = [
    ...rest.map((pod) => ({ pod: pod.id, ...explainAll(state, pod) })),
    ...[...lost].map(([pod, reason]) => ({ pod, reason })),
  ].sort((a, b) => a.pod.localeCompare(b.pod));
  const newNodes = nodes.filter((n) => !n.existing);
  const placedOnNew = new Set(newNodes.flatMap((n) => n.pods));
  const bound =
    input.skipBound === true
      ? 0
      : boundOf(
          state,
          input.pods.filter((p) => placedOnNew.has(p.id)),
        );
  const plan: Plan = {
    nodes,
    unschedulable,
    servedByAutoMode: autoMode,
    bindings: state.bindings.filter((b) => !lostSet.has(b.pod)),
    totals: {
      nodes: newNodes.length,
      pods: nodes.reduce((n, node) => n + node.pods.length, 0),
      ...priceTotals(newNodes),
      solveMillis: Math.round(clock() - start),
    },
    lowerBound: bound,
  };
  return { plan, constrained: pods.some((p) => p.topo.constrained) };
}
