/**
 * Inter-pod constraints replayed in the plan's binding order, independently of the solver: for each
 * binding, the DoNotSchedule spreads (zones counted over the pod's eligible zones, hostnames against an
 * empty node), required affinity (the first pod of a self-selecting group may go anywhere) and
 * anti-affinity both ways, against the pods bound so far.
 */
import { allows } from '../../scheduling/requirements.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { Plan, SolverInput, SolverPod, TopologyTerm } from '../solver/model.js';
import type { Problem } from './verify-plan.js';
import { termSelects } from '../solver/topology.js';

interface Placed {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  anti: readonly TopologyTerm[];
  nodeLabels: Readonly<Record<string, string>>;
}

/** Counts per term and domain, kept up to date as pods are placed (terms are few, pods many). */
class Counts {
  private readonly matching = new Map<
    string,
    { term: TopologyTerm; byDomain: Map<string, number>; total: number }
  >();
  private readonly owners = new Map<string, { term: TopologyTerm; byDomain: Map<string, number> }>();
  readonly placed: Placed[] = [];

  private entry(term: TopologyTerm): { byDomain: Map<string, number>; total: number } {
    const key = JSON.stringify(term);
    let e = this.matching.get(key);
    if (!e) {
      e = { term, byDomain: new Map(), total: 0 };
      for (const q of this.placed) this.bumpIf(e, q);
      this.matching.set(key, e);
    }
    return e;
  }

  private bumpIf(e: { term: TopologyTerm; byDomain: Map<string, number>; total: number }, q: Placed): void {
    if (!termSelects(e.term, q)) return;
    e.total += 1;
    const d = q.nodeLabels[e.term.key];
    if (d !== undefined) e.byDomain.set(d, (e.byDomain.get(d) ?? 0) + 1);
  }

  count(term: TopologyTerm, domain: string): number {
    return this.entry(term).byDomain.get(domain) ?? 0;
  }

  total(term: TopologyTerm): number {
    return this.entry(term).total;
  }

  domains(term: TopologyTerm): string[] {
    return [...this.entry(term).byDomain.keys()];
  }

  /** Anti-affinity terms of placed pods that select `self` in the domain its node would give. */
  ownerBlocks(
    self: { namespace: string; labels: Readonly<Record<string, string>> },
    nodeLabels: Readonly<Record<string, string>>,
  ): TopologyTerm | undefined {
    for (const o of this.owners.values()) {
      const d = nodeLabels[o.term.key];
      if (d !== undefined && (o.byDomain.get(d) ?? 0) > 0 && termSelects(o.term, self)) return o.term;
    }
    return undefined;
  }

  add(q: Placed): void {
    this.placed.push(q);
    for (const e of this.matching.values()) this.bumpIf(e, q);
    for (const term of q.anti) {
      const key = JSON.stringify(term);
      let o = this.owners.get(key);
      if (!o) this.owners.set(key, (o = { term, byDomain: new Map() }));
      const d = q.nodeLabels[term.key];
      if (d !== undefined) o.byDomain.set(d, (o.byDomain.get(d) ?? 0) + 1);
    }
  }
}

function eligibleZones(input: SolverInput, pod: SolverPod): string[] {
  const zones = new Set<string>();
  for (const pool of input.pools) {
    if (pool.autoMode) continue;
    const r = pool.requirements.get(LABEL.zone);
    for (const z of input.catalog.zones) {
      if (r !== undefined && !allows(r, z)) continue;
      if (
        pod.terms.some((t) => {
          const pr = t.get(LABEL.zone);
          return pr === undefined || allows(pr, z);
        })
      )
        zones.add(z);
    }
  }
  return [...zones];
}

function spreadMin(
  input: SolverInput,
  pod: SolverPod,
  key: string,
  counts: Counts,
  term: TopologyTerm,
): number {
  if (key === LABEL.hostname) return 0;
  const domains = key === LABEL.zone ? eligibleZones(input, pod) : counts.domains(term);
  const min = Math.min(...domains.map((z) => counts.count(term, z)));
  return Number.isFinite(min) ? min : 0;
}

function check(
  input: SolverInput,
  pod: SolverPod,
  labels: Readonly<Record<string, string>>,
  counts: Counts,
): string | undefined {
  const self = { namespace: pod.namespace, labels: pod.labels };
  for (const s of pod.spread) {
    const d = labels[s.key];
    if (d === undefined) return `spread on ${s.key}: node lacks the label`;
    const here = counts.count(s, d) + (termSelects(s, self) ? 1 : 0);
    if (here - spreadMin(input, pod, s.key, counts, s) > s.maxSkew)
      return `spread on ${s.key} exceeds maxSkew ${s.maxSkew}`;
  }
  for (const a of pod.affinity) {
    const d = labels[a.key];
    const here = d === undefined ? 0 : counts.count(a, d);
    if (here === 0 && (counts.total(a) > 0 || !termSelects(a, self))) return `affinity on ${a.key} not met`;
  }
  for (const a of pod.antiAffinity) {
    const d = labels[a.key];
    if (d !== undefined && counts.count(a, d) > 0) return `anti-affinity on ${a.key} violated`;
  }
  const owner = counts.ownerBlocks(self, labels);
  if (owner) return `another pod's anti-affinity on ${owner.key} violated`;
  return undefined;
}

export function replayTopology(
  input: SolverInput,
  plan: Plan,
  pods: ReadonlyMap<string, SolverPod>,
): Problem[] {
  const problems: Problem[] = [];
  const nodes = new Map(plan.nodes.map((n) => [n.name, n]));
  const counts = new Counts();
  for (const n of input.nodes) {
    for (const p of n.pods)
      counts.add({
        namespace: p.namespace,
        labels: p.labels,
        anti: p.antiAffinity ?? [],
        nodeLabels: n.labels,
      });
  }
  const constrained = input.pods.some((p) => p.spread.length + p.affinity.length + p.antiAffinity.length > 0);
  const inPlan = new Set(plan.nodes.flatMap((n) => n.pods));
  if (plan.bindings.length !== inPlan.size)
    problems.push({ message: `${plan.bindings.length} bindings for ${inPlan.size} placed pods` });
  if (!constrained) return problems;
  for (const b of plan.bindings) {
    const pod = pods.get(b.pod);
    const node = nodes.get(b.node);
    if (!pod || !node) continue;
    const why = check(input, pod, node.labels, counts);
    if (why) problems.push({ pod: b.pod, node: b.node, message: why });
    counts.add({
      namespace: pod.namespace,
      labels: pod.labels,
      anti: pod.antiAffinity,
      nodeLabels: node.labels,
    });
  }
  return problems;
}
