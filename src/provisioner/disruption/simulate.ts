/**
 * The one question every disruption method asks: with these nodes gone, where do their pods go? It is
 * answered by the provisioning solver itself — the pods re-planned onto the nodes that stay and, when
 * they do not fit, onto new capacity — never by a second packing algorithm.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { existingNode } from '../input/nodes.js';
import { boundRequestsOf, solverPod } from '../input/pods.js';
import { podTemplateOf } from '../../kube/workload.js';
import type { PlannedNode, SolverPod } from '../solver/model.js';
import { solve } from '../solver/solve.js';
import { podId } from './pods.js';
import { placedOnStarting, STILL_STARTING } from './starting.js';
import { reserveRoom, withReserved, type Headed } from './waiting.js';
import type { Reserved, World } from './world.js';

export const INFLIGHT_NEEDS_CAPACITY =
  'the pods of nodes already being disrupted would need that room: it waits for them to move';

/** How a node under consolidateAfter is marked for a consolidation's plan: its own pods may not go there. */
const SETTLING_TAINT = { key: 'berth.dev/under-consolidate-after', effect: 'NoSchedule' } as const;
const SETTLING = { key: SETTLING_TAINT.key, operator: 'Exists', effect: 'NoSchedule' } as const;

export interface SimulateOptions {
  /** Launch the new capacity the decisions under way need as well (simulateMust's last resort). */
  readonly launchTheirs?: boolean;
  /** Its pods may wait for nodes still starting: drift and expiration, which must happen. */
  readonly mayWaitForStarting?: boolean;
  /** A consolidation: its pods go onto no node under consolidateAfter (settling.ts). */
  readonly consolidation?: boolean;
}

export type Simulation =
  | { ok: true; launch: PlannedNode[]; bindings: { pod: string; node: string }[]; price: number }
  | { ok: false; why: string };

/** Shapes of pods already converted: a pod's shape does not change when it moves. */
const shapes = new WeakMap<V1Pod, SolverPod>();
export function pendingOf(pod: V1Pod): SolverPod | undefined {
  let hit = shapes.get(pod);
  if (!hit) {
    hit = asPending(pod);
    if (hit) shapes.set(pod, hit);
  }
  return hit;
}

/**
 * `world` with the room of `pods` (those no node holds) kept where they are headed (waiting.ts),
 * worked out when a simulation first asks: the cluster's controller and the offline plan alike.
 */
export function keepingRoom(world: World, pods: readonly V1Pod[], headed: Headed): World {
  if (pods.length === 0) return world;
  let reserved: Reserved | undefined;
  return { ...world, reserved: () => (reserved ??= reserveRoom({ pods, world, headed, pendingOf })) };
}

/** A bound pod as a pod to place again: its shape, without the node it is on. */
export function asPending(pod: V1Pod): SolverPod | undefined {
  const obj = Object.assign(structuredClone(pod), { kind: 'Pod' }) as KubeObject;
  const template = podTemplateOf(obj);
  if (!template) return undefined;
  delete template.spec.nodeName;
  const namespace = pod.metadata?.namespace ?? 'default';
  // It frees on its node what kube-scheduler counts there (an in-place resize under way included).
  return { ...solverPod(podId(pod), namespace, template), requests: boundRequestsOf(pod) };
}

/**
 * The solver's plan for `moving` (after the pods of the decisions under way) with `remove`'s nodes
 * gone; `keep`'s nodes stay as they are, even if marked as under way (this decision's own, when it is
 * checked again), and their pods do not move.
 */
function placeBeside(
  world: World,
  remove: ReadonlySet<string>,
  moving: readonly V1Pod[],
  keep: ReadonlySet<string> = new Set(),
  consolidation = false,
) {
  const reserved = world.reserved?.();
  const settling = consolidation ? world.settling : undefined;
  const convert = (n: V1Node) => {
    const name = n.metadata?.name ?? '';
    const headed = reserved?.get(name);
    const view =
      headed === undefined && world.existing
        ? world.existing(n)
        : existingNode(n, withReserved(world.podsByNode.get(name) ?? [], headed));
    return settling?.has(name) === true ? { ...view, taints: [...view.taints, SETTLING_TAINT] } : view;
  };
  const inflight = world.inflight;
  const gone = (name: string) => !keep.has(name) && (remove.has(name) || inflight?.nodes.has(name) === true);
  const staying = world.nodes.filter((n) => !gone(n.metadata?.name ?? '')).map(convert);
  const present = new Set(staying.map((n) => n.name));
  if (inflight) staying.push(...inflight.replacements.filter((r) => !present.has(r.name)));
  const theirs = (inflight?.pods ?? []).filter((p) => {
    const on = p.spec?.nodeName ?? '';
    return !remove.has(on) && !keep.has(on);
  });
  // The pods on their way to the nodes that go — this decision's and those of the decisions under way,
  // whose room each of them counted on finding on the others' nodes — placed again with the pods that
  // move, never bound. Four single-node deletions decided a second apart at a churn low each kept the
  // room of the pods coming back only beside the others' nodes, and the next high bought three nodes.
  const headed = reserved
    ? world.nodes.flatMap((n) => {
        const name = n.metadata?.name ?? '';
        return gone(name) ? (reserved.get(name) ?? []) : [];
      })
    : [];
  const pods: SolverPod[] = [];
  const own = new Set(moving);
  // Theirs first: the solver keeps this order among pods of one size, so the decisions under way keep
  // the room they were planned with (their own replacements), and a launch is this decision's own.
  for (const p of [...theirs, ...moving, ...headed]) {
    const pending = pendingOf(p);
    if (!pending) return { why: `pod ${podId(p)} has no pod spec to place again` };
    // Pods waiting and the pods of nodes being disrupted may go onto a settling node; this decision's not.
    pods.push(
      settling && !own.has(p) ? { ...pending, tolerations: [...pending.tolerations, SETTLING] } : pending,
    );
  }
  const plan = solve({
    pods,
    nodes: staying,
    pools: world.pools.filter((p) => !p.autoMode),
    daemonSets: world.daemonSets,
    catalog: world.catalog,
    budgetMillis: 0,
    namePrefix: world.namePrefix,
    skipBound: true,
    keepStatic: false,
    placement: 'grow',
    ...(world.poolMemo ? { poolMemo: world.poolMemo } : {}),
    ...(world.alternatives !== undefined ? { alternatives: world.alternatives } : {}),
  });
  return { plan, staying, theirs: new Set(theirs.map(podId)), headed: new Set(headed.map(podId)) };
}

/** How many of `theirs` a plan puts on new capacity. */
const onNew = (launch: readonly PlannedNode[], theirs: ReadonlySet<string>) =>
  launch.reduce((s, n) => s + n.pods.filter((p) => theirs.has(p)).length, 0);

/**
 * Re-plans the pods that `remove`'s nodes would move (`moving`) on what stays plus new capacity. Beside
 * decisions under way (`world.inflight`), their nodes are gone too and their pods are placed first-class
 * with these; a plan that puts more of theirs on new capacity than they need without this decision is
 * refused (their own replacements hold them), so two decisions never count on the same room. Those of
 * theirs with no room whatever this decision does (their pods go pending and are bought for once they
 * move) hold nothing back, and their new capacity is not this decision's to launch.
 */
export function simulate(
  world: World,
  remove: ReadonlySet<string>,
  moving: readonly V1Pod[],
  o: SimulateOptions = {},
): Simulation {
  const placed = placeBeside(world, remove, moving, new Set(), o.consolidation === true);
  if (!placed.plan) return { ok: false, why: placed.why };
  const { plan, theirs } = placed;
  const stuck = plan.unschedulable[0];
  if (stuck) return { ok: false, why: `pod ${stuck.pod} would have nowhere to go: ${stuck.reason}` };
  const early =
    o.mayWaitForStarting === true
      ? undefined
      : placedOnStarting(world, placed.staying, plan, new Set(moving.map(podId)));
  if (early)
    return { ok: false, why: `pod ${early.pod} would wait for node ${early.node}: ${STILL_STARTING}` };
  let launch = plan.nodes.filter((n) => !n.existing && n.pods.length > 0);
  const needed = theirs.size > 0 ? onNew(launch, theirs) : 0;
  if (needed > 0) {
    // Without this decision: its nodes stay with their pods.
    const alone = placeBeside(world, new Set(), [], remove, o.consolidation === true);
    const without = alone.plan
      ? onNew(
          alone.plan.nodes.filter((n) => !n.existing),
          alone.theirs,
        )
      : 0;
    if (needed <= without) launch = launch.filter((n) => n.pods.some((p) => !theirs.has(p)));
    else if (o.launchTheirs !== true) return { ok: false, why: INFLIGHT_NEEDS_CAPACITY };
  }
  const bindings =
    theirs.size + placed.headed.size > 0
      ? plan.bindings.filter((b) => !theirs.has(b.pod) && !placed.headed.has(b.pod))
      : plan.bindings;
  return {
    ok: true,
    launch,
    bindings,
    price: launch.reduce((s, n) => s + n.pricePerHour, 0),
  };
}

/**
 * For a decision that must happen (drift, expiration): simulated beside the decisions under way; when
 * their pods would need the new capacity, simulated again for its own pods alone, and taken if that
 * launches for them; else it launches all the new capacity the plan beside them needs. Each such
 * decision brings its own room, and room already counted on by another decision is never counted on
 * twice (delete-only drifts side by side each took the same free room, their pods went pending, and
 * the provisioner bought for them round after round).
 */
export function simulateMust(
  world: World,
  remove: ReadonlySet<string>,
  moving: readonly V1Pod[],
): Simulation {
  const must = { mayWaitForStarting: true };
  const beside = simulate(world, remove, moving, must);
  if (beside.ok || beside.why !== INFLIGHT_NEEDS_CAPACITY || !world.inflight) return beside;
  const own = simulate({ ...world, inflight: { ...world.inflight, pods: [] } }, remove, moving, must);
  if (own.ok && own.launch.length > 0) return own;
  // Its pods fit only in room theirs need: it launches what the plan beside them needs, theirs
  // included, as Karpenter's drift launches every new node its simulation beside the deleting nodes'
  // pods asks for (before, it waited, was decided again 20 s later, and drift went 3 nodes at a time).
  return simulate(world, remove, moving, { ...must, launchTheirs: true });
}
