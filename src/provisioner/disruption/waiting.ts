/**
 * The room of the pods on their way: a decision must leave it to them. Karpenter's consolidation
 * simulates the pending pods beside the candidates' and takes no decision that leaves a pod that is
 * not pending without room; Berth's simulation placed only the pods it moved, onto room that pods
 * behind its scheduling gate had been bought. At 10,000 pods on kwok, multi-node consolidation took
 * 100 nodes at a time while pods still waited, evicted 456 pods in the scale-out, and the provisioner
 * bought for them again. Pure.
 *
 * A waiting pod keeps its room where it is headed: on the Node it was planned onto (or the Node its
 * planned claim became); nowhere when its claim has no Node yet (the room comes with it); any other
 * where the solver puts it on the nodes as they are, after their pods and the planned ones — and
 * nowhere if it fits none, as Karpenter's pending pods that fit nowhere block nothing.
 */
import type { V1Node, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { existingNode } from '../input/nodes.js';
import type { ExistingNode, SolverPod } from '../solver/model.js';
import { solve } from '../solver/solve.js';
import { waitingPods } from '../controller/demand.js';
import { disrupting } from './candidates.js';
import { podId } from './pods.js';
import type { Reserved, World } from './world.js';

/** Where the pods on their way are headed, as the provisioner planned them. */
export interface Headed {
  /** The Node or NodeClaim the provisioner last planned the pod (solver id) onto, if any. */
  readonly nominatedTo: (pod: string) => string | undefined;
  /** The NodeClaim a Node is, if any. */
  readonly claimOf: (node: V1Node) => string | undefined;
}

/** No pod planned anywhere (offline, and a cluster without nominations): each goes where it fits. */
export const NOT_PLANNED: Headed = { nominatedTo: () => undefined, claimOf: () => undefined };

const NONE: Reserved = new Map();

/** The pod as if bound to `node` (a shallow copy: the original stays as the cache has it). */
function boundTo(pod: V1Pod, node: string): V1Pod {
  const spec: V1PodSpec = Object.assign({ containers: [] }, pod.spec, { nodeName: node });
  return Object.assign({}, pod, { spec });
}

function add(out: Map<string, V1Pod[]>, node: string, pod: V1Pod): void {
  const list = out.get(node);
  const copy = boundTo(pod, node);
  if (list) list.push(copy);
  else out.set(node, [copy]);
}

/** Nodes a waiting pod may be headed for: not being disrupted, not cordoned. */
function takes(node: V1Node): boolean {
  return !disrupting(node) && node.spec?.unschedulable !== true;
}

export interface ReserveInput {
  /** The pods no node holds (the waiting ones among them are kept room for). */
  readonly pods: readonly V1Pod[];
  readonly world: Pick<World, 'nodes' | 'podsByNode' | 'daemonSets' | 'catalog' | 'namePrefix'>;
  readonly headed: Headed;
  /** A waiting pod as the solver places it (simulate.ts converts each pod once). */
  readonly pendingOf: (pod: V1Pod) => SolverPod | undefined;
}

/** Where each waiting pod's room is kept (see the header). */
export function reserveRoom(r: ReserveInput): Reserved {
  const waiting = waitingPods(r.pods);
  if (waiting.length === 0) return NONE;
  const byName = new Map<string, V1Node>();
  /** Every Node by its own name and by its claim's. */
  const known = new Map<string, string>();
  for (const n of r.world.nodes) {
    const name = n.metadata?.name ?? '';
    if (takes(n)) byName.set(name, n);
    known.set(name, name);
    const claim = r.headed.claimOf(n);
    if (claim !== undefined) known.set(claim, name);
  }
  const out = new Map<string, V1Pod[]>();
  const unplanned: V1Pod[] = [];
  for (const p of waiting) {
    const to = r.headed.nominatedTo(podId(p));
    const node = to === undefined ? undefined : known.get(to);
    if (node !== undefined && byName.has(node)) add(out, node, p);
    // Planned onto a claim whose Node has not joined: its room comes with it.
    else if (to !== undefined && node === undefined) continue;
    // Planned nowhere, or onto a Node that takes no pods now.
    else unplanned.push(p);
  }
  if (unplanned.length > 0) placeUnplanned(r, byName, out, unplanned);
  return out;
}

/** The solver's places for pods no round planned, on the nodes as they are (no new capacity). */
function placeUnplanned(
  r: ReserveInput,
  byName: ReadonlyMap<string, V1Node>,
  out: Map<string, V1Pod[]>,
  unplanned: readonly V1Pod[],
): void {
  const nodes: ExistingNode[] = [...byName.values()].map((n) => {
    const name = n.metadata?.name ?? '';
    return existingNode(n, [...(r.world.podsByNode.get(name) ?? []), ...(out.get(name) ?? [])]);
  });
  const pods: SolverPod[] = [];
  const byId = new Map<string, V1Pod>();
  for (const p of unplanned) {
    const sp = r.pendingOf(p);
    if (!sp) continue;
    pods.push(sp);
    byId.set(sp.id, p);
  }
  const plan = solve({
    pods,
    nodes,
    pools: [],
    daemonSets: r.world.daemonSets,
    catalog: r.world.catalog,
    budgetMillis: 0,
    namePrefix: r.world.namePrefix,
    skipBound: true,
    keepStatic: false,
    placement: 'grow',
  });
  for (const b of plan.bindings) {
    const p = byId.get(b.pod);
    if (p) add(out, b.node, p);
  }
}

/** Every node's pods with the waiting pods' room kept on it. */
export function withReserved(
  bound: readonly V1Pod[],
  reserved: readonly V1Pod[] | undefined,
): readonly V1Pod[] {
  return reserved === undefined || reserved.length === 0 ? bound : [...bound, ...reserved];
}
