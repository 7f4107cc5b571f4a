/**
 * Holds and nominations that would break a DoNotSchedule topology spread. A hold keeps the pods a
 * claim was launched for on its Node for a while (hold.ts), and a claim in flight keeps its own
 * (nominate.ts): the solver takes both as bound and never checks them again. Meanwhile the world
 * moves — a scale-in deletes replicas in one zone, consolidation evicts others — and a kept pod can
 * end up where kube-scheduler will never put it: its zone already over the least loaded one by
 * maxSkew. It then waits behind its gate (spread-lifts.ts) until the hold ends, two minutes later
 * (seen on Karpenter's *wide* workload in a scale-in: two pods gated 60 s).
 *
 * So once the round has planned the rest, each spread is counted as kube-scheduler will count it when
 * every pod is where the plan says (on a node there, a claim in flight or a new node): the matching
 * pods in each domain, against the least loaded domain of a node the pod may go to. The plan's own
 * pods may fill that domain (a scale-out's later pods of a workload often do); where they do not, a
 * domain over maxSkew gives back kept pods — the last kept first — until it is within it, or has none
 * left, and the round plans again with those pods among the rest. Pure.
 */
import { requirementsKey } from '../../scheduling/placement.js';
import type { BoundPod, ExistingNode, Plan, SolverInput, SpreadTerm } from '../solver/model.js';
import { ZERO } from '../solver/resources.js';
import { termSelects } from '../solver/topology.js';
import type { Provisional } from './binder.js';
import { domainCounts, groupOf, leastLoaded } from './spread-lifts.js';

/** One spread of kept pods that share its node affinity: its counts, and the kept pods per domain. */
interface Tally {
  readonly maxSkew: number;
  readonly min: number;
  readonly counts: ReadonlyMap<string, number>;
  /** Kept pods by the domain they were kept in: [id, whether the spread counts it]. */
  readonly kept: Map<string, [string, boolean][]>;
}

function tally(nodes: readonly ExistingNode[], s: SpreadTerm, terms: Provisional['pod']['terms']): Tally {
  const counts = domainCounts(nodes, s);
  return { maxSkew: s.maxSkew, min: leastLoaded(nodes, counts, s.key, terms), counts, kept: new Map() };
}

/**
 * The kept pods (by the id they are kept under) to give back, so that no DoNotSchedule spread is over
 * maxSkew once every pod is where the plan says. `nodes` are the round's nodes with every kept and
 * planned pod on them (afterPlan).
 */
export function overSpread(nodes: readonly ExistingNode[], kept: readonly Provisional[]): Set<string> {
  const out = new Set<string>();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const tallies = new Map<string, Tally>();
  for (const k of kept) {
    const node = byName.get(k.node);
    if (!node) continue;
    for (const s of k.pod.spread) {
      const domain = node.labels[s.key];
      if (domain === undefined) continue;
      const key = `${groupOf(s)}\u0000${s.maxSkew}\u0000${k.pod.terms.map(requirementsKey).join('\u0001')}`;
      let t = tallies.get(key);
      if (!t) tallies.set(key, (t = tally(nodes, s, k.pod.terms)));
      const list = t.kept.get(domain) ?? [];
      list.push([k.placed.id, termSelects(s, k.placed)]);
      t.kept.set(domain, list);
    }
  }
  for (const t of tallies.values()) {
    for (const [domain, list] of t.kept) {
      let count = t.counts.get(domain) ?? 0;
      for (let i = list.length - 1; i >= 0; i--) {
        const [id, self] = list[i] as [string, boolean];
        // Every kept pod here binds only if the domain, all of them in it, is within maxSkew.
        if (count - t.min <= t.maxSkew) break;
        out.add(id);
        if (self) count -= 1;
      }
    }
  }
  return out;
}

/**
 * The round's nodes as they will be once the plan is carried out: each placement on its node (the
 * pod's namespace and labels, a fed replica's from its template), the plan's new nodes added.
 */
export function afterPlan(
  input: Pick<SolverInput, 'nodes' | 'pods' | 'groups'>,
  plan: Pick<Plan, 'nodes' | 'bindings'>,
): ExistingNode[] {
  const byId = new Map(input.pods.map((p) => [p.id, p]));
  const groups = input.groups ?? [];
  const podOf = (id: string) =>
    byId.get(id) ??
    groups.find((g) => id.startsWith(g.pod.id) && /^\d+$/.test(id.slice(g.pod.id.length)))?.pod;
  const placed = new Map<string, BoundPod[]>();
  for (const b of plan.bindings) {
    const p = podOf(b.pod);
    if (!p) continue;
    const on = placed.get(b.node) ?? [];
    on.push({ id: b.pod, namespace: p.namespace, labels: p.labels, requests: p.requests });
    placed.set(b.node, on);
  }
  const out = input.nodes.map((n) => {
    const more = placed.get(n.name);
    return more ? { ...n, pods: [...n.pods, ...more] } : n;
  });
  const known = new Set(input.nodes.map((n) => n.name));
  for (const n of plan.nodes) {
    if (known.has(n.name)) continue;
    const pods = placed.get(n.name) ?? [];
    out.push({ name: n.name, labels: n.labels, taints: n.taints, allocatable: ZERO, pods, inFlight: true });
  }
  return out;
}
