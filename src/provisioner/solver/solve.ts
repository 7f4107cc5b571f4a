/**
 * The provisioner's solver: `(pending pods, nodes, in-flight claims, NodePools, daemonsets, instance
 * types) → plan`. Pure and deterministic. Pods with inter-pod constraints are placed first, one at a
 * time in the scheduler's order; the rest are packed by class onto existing nodes, then onto the plan's
 * claims, then onto new claims chosen for value at the LP's shadow prices. Every new claim launches the
 * cheapest offering that holds it.
 */
import { explain } from './explain.js';
import { finalize } from './finalize.js';
import { packClass, type FreeClass, type Packed, type Shape } from './free.js';
import { improve } from './improve.js';
import { lowerBound } from './bound.js';
import { autoModePoolFor } from './auto-mode.js';
import { expandGroups, type Plan, type ServedByAutoMode, type SolverInput, type SolverPod } from './model.js';
import { placeOne } from './place-one.js';
import { SolverState } from './state.js';
import type { PodTopology } from './topology.js';

function bySize(a: SolverPod, b: SolverPod): number {
  return (
    b.requests.gpu - a.requests.gpu ||
    b.requests.cpu - a.requests.cpu ||
    b.requests.mem - a.requests.mem ||
    a.id.localeCompare(b.id)
  );
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

export function solve(given: SolverInput): Plan {
  // Replica groups become pods here, in the solver's process, never in the caller's.
  const input: SolverInput =
    given.groups && given.groups.length > 0
      ? { ...given, pods: [...given.pods, ...expandGroups(given.groups)], groups: [] }
      : given;
  const clock = input.clock ?? (() => performance.now());
  const start = clock();
  const state = new SolverState(input);
  const pods = [...input.pods].sort(bySize).map((pod) => ({ pod, topo: state.topology.of(pod) }));
  const failed: SolverPod[] = [];
  for (const { pod, topo } of pods.filter((p) => p.topo.constrained)) {
    if (!placeOne(state, pod, topo)) failed.push(pod);
  }
  const classes = classesOf(
    state,
    pods.filter((p) => !p.topo.constrained),
  );
  const packed: Packed[] = [];
  for (const c of classes) {
    packed.push(packClass(state, c));
    for (const s of c.shapes) failed.push(...s.pods);
  }
  const budget = input.budgetMillis ?? 0;
  improve(state, packed, () => clock() - start < budget);
  const lost: string[] = [];
  const nodes = finalize(state.bins, input, lost);
  const lostSet = new Set(lost);
  const { autoMode, rest } = byAutoMode(failed, input);
  const unschedulable = [
    ...rest.map((pod) => ({ pod: pod.id, reason: explain(state, pod) })),
    ...lost.map((pod) => ({
      pod,
      reason: 'no offering of the instance types that hold it is available now',
    })),
  ].sort((a, b) => a.pod.localeCompare(b.pod));
  const newNodes = nodes.filter((n) => !n.existing);
  const price = newNodes.reduce((sum, n) => sum + n.pricePerHour, 0);
  const placedOnNew = new Set(newNodes.flatMap((n) => n.pods));
  const bound =
    input.skipBound === true
      ? 0
      : lowerBound(
          state,
          input.pods.filter((p) => placedOnNew.has(p.id)),
        );
  return {
    nodes,
    unschedulable,
    servedByAutoMode: autoMode,
    bindings: state.bindings.filter((b) => !lostSet.has(b.pod)),
    totals: {
      nodes: newNodes.length,
      pods: nodes.reduce((n, node) => n + node.pods.length, 0),
      pricePerHour: Math.round(price * 1e5) / 1e5,
      solveMillis: Math.round(clock() - start),
    },
    lowerBound: bound,
  };
}
