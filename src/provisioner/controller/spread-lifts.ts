/**
 * Gates lifted in layers where a DoNotSchedule topology spread needs them. kube-scheduler checks a
 * spread against the pods bound so far, one pod at a time, in its own order (by priority, then when
 * the pod was first queued — not when its gate came off). Two pods the plan put in zone a, lifted at
 * once while their sibling for zone b still waits for its node, are a skew of 2 to the scheduler: the
 * second goes to another node, takes room the plan kept for someone else, and a pod ends up needing a
 * node bought late (seen on Karpenter's *wide* workload: ~6 s more to all Running).
 *
 * So a pod planned onto a Node that is there goes now only if its spreads hold whatever order the
 * scheduler takes everything in its hands in: its domain's bound pods, plus the pods of the spread
 * that are ungated and not bound yet, plus those let through in this pass, plus itself, minus the
 * least-loaded domain's bound pods, at most maxSkew. The others wait for those to bind (a later
 * round, a few hundred ms); the pods of the least-loaded domain always go. Pure.
 */
import { requirementsKey } from '../../scheduling/placement.js';
import type { Requirements } from '../../scheduling/requirements.js';
import type { ExistingNode, SolverPod, SpreadTerm } from '../solver/model.js';
import { termSelects } from '../solver/topology.js';

/** One DoNotSchedule spread of a pod planned onto a Node that is there, as the scheduler will count it. */
export interface SpreadFact {
  /** The spread's identity: its key, selector and namespaces (which pods it counts). */
  readonly group: string;
  readonly maxSkew: number;
  /** The target Node's value of the key. */
  readonly domain: string;
  /** The spread's pods bound in that domain. */
  readonly bound: number;
  /** The fewest bound in any domain of a Node the pod may go to (the scheduler's global minimum). */
  readonly min: number;
  /** Whether the pod counts for its own spread (it matches the selector). */
  readonly self: boolean;
}

/** A spread's identity: its key, selector and namespaces (which pods it counts). */
export const groupOf = (s: SpreadTerm): string =>
  JSON.stringify([s.key, s.selector, [...s.namespaces].sort()]);

/** Whether a node's labels pass a pod's node affinity (any of its terms; none is any node). */
function satisfies(terms: readonly Requirements[], labels: Readonly<Record<string, string>>): boolean {
  return terms.length === 0 || terms.some((t) => t.matchesLabels(labels));
}

/** Each domain's count of the pods a spread counts, over the nodes that carry its key. */
export function domainCounts(nodes: readonly ExistingNode[], s: SpreadTerm): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of nodes) {
    const d = n.labels[s.key];
    if (d === undefined) continue;
    out.set(d, (out.get(d) ?? 0) + n.pods.filter((p) => termSelects(s, p)).length);
  }
  return out;
}

/**
 * The count of the least loaded domain of `key` among the nodes a pod's node affinity (`terms`)
 * allows — kube-scheduler's global minimum for a DoNotSchedule spread (0 when there is none).
 */
export function leastLoaded(
  nodes: readonly ExistingNode[],
  counts: ReadonlyMap<string, number>,
  key: string,
  terms: readonly Requirements[],
): number {
  let min = Number.POSITIVE_INFINITY;
  for (const n of nodes) {
    const d = n.labels[key];
    if (d !== undefined && satisfies(terms, n.labels)) min = Math.min(min, counts.get(d) ?? 0);
  }
  return Number.isFinite(min) ? min : 0;
}

/**
 * The spread facts of each waiting pod planned onto a registered Node (`targets`), from the Nodes and
 * the pods bound on them. Only pods with a DoNotSchedule spread appear.
 */
export function spreadFacts(
  nodes: readonly ExistingNode[],
  pods: readonly SolverPod[],
  targets: ReadonlyMap<string, string>,
): Map<string, SpreadFact[]> {
  const out = new Map<string, SpreadFact[]>();
  if (!pods.some((p) => p.spread.length > 0)) return out;
  const registered = nodes.filter((n) => !n.inFlight);
  const byName = new Map(registered.map((n) => [n.name, n]));
  const bound = new Map<string, Map<string, number>>();
  const boundOf = (s: SpreadTerm): Map<string, number> => {
    const g = groupOf(s);
    let m = bound.get(g);
    if (!m) {
      m = domainCounts(registered, s);
      bound.set(g, m);
    }
    return m;
  };
  // The least loaded eligible domain, per spread and node affinity (pods of one workload share both).
  const mins = new Map<string, number>();
  const minOf = (p: SolverPod, s: SpreadTerm): number => {
    const k = `${groupOf(s)}\u0000${p.terms.map(requirementsKey).join('\u0001')}`;
    let min = mins.get(k);
    if (min === undefined) {
      min = leastLoaded(registered, boundOf(s), s.key, p.terms);
      mins.set(k, min);
    }
    return min;
  };
  for (const p of pods) {
    const node = p.spread.length > 0 ? byName.get(targets.get(p.id) ?? '') : undefined;
    if (!node) continue;
    const facts: SpreadFact[] = [];
    for (const s of p.spread) {
      const domain = node.labels[s.key];
      if (domain === undefined) continue;
      facts.push({
        group: groupOf(s),
        maxSkew: s.maxSkew,
        domain,
        bound: boundOf(s).get(domain) ?? 0,
        min: minOf(p, s),
        self: termSelects(s, p),
      });
    }
    if (facts.length > 0) out.set(p.id, facts);
  }
  return out;
}

/**
 * Of `candidates` (in the order they would be lifted), those whose spreads hold in any order beside
 * the pods already in the scheduler's hands (`inHands`: ungated, not bound); the rest wait.
 */
export function spreadSafe<L extends { readonly id: string }>(
  candidates: readonly L[],
  facts: ReadonlyMap<string, readonly SpreadFact[]>,
  inHands: Iterable<string>,
): { now: L[]; waiting: L[] } {
  const extra = new Map<string, number>();
  const add = (f: SpreadFact) => {
    if (!f.self) return;
    const k = `${f.group}\u0000${f.domain}`;
    extra.set(k, (extra.get(k) ?? 0) + 1);
  };
  for (const id of inHands) for (const f of facts.get(id) ?? []) add(f);
  const now: L[] = [];
  const waiting: L[] = [];
  for (const c of candidates) {
    const fs = facts.get(c.id) ?? [];
    const fits = fs.every(
      (f) =>
        f.bound + (extra.get(`${f.group}\u0000${f.domain}`) ?? 0) + (f.self ? 1 : 0) - f.min <= f.maxSkew,
    );
    if (!fits) {
      waiting.push(c);
      continue;
    }
    for (const f of fs) add(f);
    now.push(c);
  }
  return { now, waiting };
}
