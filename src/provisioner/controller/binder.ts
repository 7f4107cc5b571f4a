/**
 * Binding waiting pods to the nodes a plan put them on, in a copy of a round's input — the holds on
 * joined Nodes (hold.ts) and the claims in flight (nominate.ts) both keep their pods this way. Pure.
 */
import type { BoundPod, ExistingNode, ReplicaGroup, SolverInput, SolverPod } from '../solver/model.js';
import { resKey, sameRes } from '../solver/resources.js';
import { hostnameExcluded, noRoom, roomTaken } from './hold-fit.js';

export const asBound = (p: SolverPod): BoundPod => ({
  id: p.id,
  namespace: p.namespace,
  labels: p.labels,
  requests: p.requests,
  antiAffinity: p.antiAffinity,
});

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

/** A workload's fed replicas, counted down as they are bound. */
type FedGroup = { -readonly [K in keyof ReplicaGroup]: ReplicaGroup[K] };

/** A pod a Binder put on a node: as placed there, and the waiting pod (or fed replica) it stands for. */
export interface Provisional {
  readonly node: string;
  readonly placed: BoundPod;
  readonly pod: SolverPod;
}

/**
 * Binds waiting pods to the nodes they were planned onto, in a copy of a round's input: each pod
 * wanted there is matched to itself while it waits, else to a waiting pod of its workload (or a fed
 * replica), and moved onto the node, unless its room went to other pods or a pod there excludes it.
 * A pod in `skip` (by the id it is placed under) is matched as before but stays in the demand.
 */
export class Binder {
  /** The waiting pods by id, and by namespace and requests (in the input's order): a lookup, not a scan. */
  private readonly byId: Map<string, SolverPod>;
  private readonly byShape = new Map<string, SolverPod[]>();
  /** Matched to a wanted pod: bound, or skipped (matched, left in the demand). */
  private readonly matched = new Set<string>();
  private readonly taken = new Set<string>();
  private readonly firstFree = new Map<string, number>();
  private readonly groups: FedGroup[];
  private readonly extra = new Map<string, BoundPod[]>();
  /** The ids bound (a fed replica's as planned), by the node they went onto. */
  readonly bound = new Map<string, string>();
  /** What was bound, in order, with the pod each stands for. */
  readonly provisional: Provisional[] = [];

  constructor(
    private readonly input: SolverInput,
    private readonly skip: ReadonlySet<string> = new Set(),
  ) {
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
      const m = this.match(want);
      if (!m || hostnameExcluded(node, onNode, m.waiting)) continue;
      if (m.group === undefined) this.matched.add(m.waiting.id);
      if (this.skip.has(m.pod.id)) continue;
      if (m.group === undefined) this.taken.add(m.waiting.id);
      else {
        m.group.count -= 1;
        m.group.from += 1;
      }
      onNode.push(m.pod);
      this.bound.set(m.pod.id, node.name);
      this.provisional.push({ node: node.name, placed: m.pod, pod: m.waiting });
    }
    this.extra.set(node.name, onNode);
  }

  /** The waiting pod a wanted one stands for, or else a fed replica of its workload's group. */
  private match(want: BoundPod): { pod: BoundPod; waiting: SolverPod; group?: FedGroup } | undefined {
    const real = this.waiting(want);
    if (real) return { pod: asBound(real), waiting: real };
    const group = this.groups.find((x) => x.count > 0 && samePod(want, x.pod));
    return group ? { pod: want, waiting: group.pod, group } : undefined;
  }

  /** The pod itself while it waits (a join lift steered it there: join-lifts.ts), else the first of its kind. */
  private waiting(want: BoundPod): SolverPod | undefined {
    const self = this.byId.get(want.id);
    if (self && !this.matched.has(self.id)) return self;
    const key = shapeKey(want);
    const list = this.byShape.get(key) ?? [];
    // Matched pods gather at the front of their list: skip them once, not at every lookup.
    let start = this.firstFree.get(key) ?? 0;
    while (start < list.length && this.matched.has((list[start] as SolverPod).id)) start += 1;
    this.firstFree.set(key, start);
    for (let i = start; i < list.length; i++) {
      const p = list[i] as SolverPod;
      if (!this.matched.has(p.id) && samePod(want, p)) return p;
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
