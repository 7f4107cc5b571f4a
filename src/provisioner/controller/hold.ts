/**
 * The re-buy guard. When a claim's Node joins, the pods planned onto it are held there for a while:
 * in the solver's input they are bound to that node (reserving their room and counting for its zone's
 * spread), not pending. A node that comes up unable to take them (less allocatable than its type
 * promised, a taint nobody lifts) then does not make every round buy again for the same pods; once the
 * hold ends, whatever is still waiting is planned afresh. Pure: the provisioner keeps the holds.
 */
import { instanceIdOf } from '../cloud/provider.js';
import { DISRUPTED_TAINT } from '../disruption/candidates.js';
import type {
  BoundPod,
  ExistingNode,
  PlannedNode,
  ReplicaGroup,
  SolverInput,
  SolverPod,
} from '../solver/model.js';
import { resKey, sameRes } from '../solver/resources.js';
import { hostnameExcluded, noRoom, roomTaken } from './hold-fit.js';

/** How long after its Node joins a claim holds the pods planned onto it. */
export const HOLD_MS = 120_000;

export interface Hold {
  readonly claim: string;
  readonly instanceId: string;
  readonly until: number;
  /** The pods the plan put on the claim, as the solver saw them when it launched. */
  readonly pods: readonly BoundPod[];
}

const asBound = (p: SolverPod): BoundPod => ({
  id: p.id,
  namespace: p.namespace,
  labels: p.labels,
  requests: p.requests,
  antiAffinity: p.antiAffinity,
});

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

function within(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(a)) if (b[k] !== v) return false;
  return true;
}

/**
 * Whether a waiting pod is one the hold planned: the same pod, or one of the same workload made since
 * (the same namespace and requests; a fed replica's template labels within the real pod's, which add
 * pod-template-hash, or the other way round).
 */
export function samePod(held: BoundPod, p: SolverPod | BoundPod): boolean {
  if (held.id === p.id) return true;
  return (
    held.namespace === p.namespace &&
    sameRes(held.requests, p.requests) &&
    (within(held.labels, p.labels) || within(p.labels, held.labels))
  );
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
 * its room went to other pods, or a pod bound there excludes it).
 */
export function applyHolds(
  input: SolverInput,
  holds: readonly Hold[],
  now: number,
): { input: SolverInput; active: Hold[]; held: number } {
  const nodes = byInstance(input.nodes);
  const active = holds.filter((h) => h.until > now && !spent(h, nodes));
  if (active.length === 0) return { input, active, held: 0 };
  const b = new Binder(input);
  for (const h of active) {
    const node = joinedNode(nodes, h);
    if (node) b.bind(node, unbound(h, node));
  }
  return { input: b.result(), active, held: b.bound.size };
}

/**
 * Binds waiting pods to the nodes they were planned onto, in a copy of a round's input: each pod
 * wanted there is matched to itself while it waits, else to a waiting pod of its workload (or a fed
 * replica), and moved onto the node, unless its room went to other pods or a pod there excludes it.
 */
export class Binder {
  /** The waiting pods by id, and by namespace and requests (in the input's order): a lookup, not a scan. */
  private readonly byId: Map<string, SolverPod>;
  private readonly byShape = new Map<string, SolverPod[]>();
  private readonly taken = new Set<string>();
  private readonly firstFree = new Map<string, number>();
  private readonly groups: { -readonly [K in keyof ReplicaGroup]: ReplicaGroup[K] }[];
  private readonly extra = new Map<string, BoundPod[]>();
  /** The ids bound (a fed replica's as planned), by the node they went onto. */
  readonly bound = new Map<string, string>();

  constructor(private readonly input: SolverInput) {
    this.byId = new Map(input.pods.map((p) => [p.id, p]));
    for (const p of input.pods) {
      const key = shapeKey(p);
      const list = this.byShape.get(key);
      if (list) list.push(p);
      else this.byShape.set(key, [p]);
    }
    this.groups = (input.groups ?? []).map((g) => ({ ...g }));
  }

  /**
   * Binds what of `wanted` still waits to `node`. A joined node holds a pod it turned out too small
   * for (the re-buy guard's case); with `fit`, as a claim in flight, only pods with room there are kept.
   */
  bind(node: ExistingNode, wanted: readonly BoundPod[], fit = false): void {
    const onNode = this.extra.get(node.name) ?? [];
    for (const want of wanted) {
      if (fit ? noRoom(node, onNode, want) : roomTaken(node, onNode, want)) continue;
      const real = this.waiting(want);
      const g = real ? undefined : this.groups.find((x) => x.count > 0 && samePod(want, x.pod));
      const waiting = real ?? g?.pod;
      if (waiting && hostnameExcluded(node, onNode, waiting)) continue;
      let pod: BoundPod;
      if (real) {
        this.taken.add(real.id);
        pod = asBound(real);
      } else if (g) {
        pod = want;
        g.count -= 1;
        g.from += 1;
      } else continue;
      onNode.push(pod);
      this.bound.set(pod.id, node.name);
    }
    this.extra.set(node.name, onNode);
  }

  /** The pod itself while it waits (a join lift steered it there: join-lifts.ts), else the first of its kind. */
  private waiting(want: BoundPod): SolverPod | undefined {
    const self = this.byId.get(want.id);
    if (self && !this.taken.has(self.id)) return self;
    const key = shapeKey(want);
    const list = this.byShape.get(key) ?? [];
    // Taken pods gather at the front of their list: skip them once, not at every lookup.
    let start = this.firstFree.get(key) ?? 0;
    while (start < list.length && this.taken.has((list[start] as SolverPod).id)) start += 1;
    this.firstFree.set(key, start);
    for (let i = start; i < list.length; i++) {
      const p = list[i] as SolverPod;
      if (!this.taken.has(p.id) && samePod(want, p)) return p;
    }
    return undefined;
  }

  /** The input with every pod bound so far on its node, out of the demand. */
  result(): SolverInput {
    if (this.bound.size === 0) return this.input;
    const nodes = this.input.nodes.map((n) => {
      const more = this.extra.get(n.name);
      return more && more.length > 0 ? { ...n, pods: [...n.pods, ...more] } : n;
    });
    const pods =
      this.taken.size === 0 ? this.input.pods : this.input.pods.filter((p) => !this.taken.has(p.id));
    return { ...this.input, pods, groups: this.groups.filter((g) => g.count > 0), nodes };
  }
}

/** What samePod needs equal: the namespace and the requests (labels are compared pod by pod). */
const shapeKey = (p: Pick<BoundPod, 'namespace' | 'requests'>): string =>
  `${p.namespace} ${resKey(p.requests)}`;
