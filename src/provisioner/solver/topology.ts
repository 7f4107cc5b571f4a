/**
 * Inter-pod constraints, checked in placement order as the scheduler and Karpenter check them: zone and
 * hostname topology spread (DoNotSchedule), required pod affinity and anti-affinity (both directions).
 * Pods that select the same pods over the same key share one group and one count per domain.
 */
import { selectorMatches } from '../../kube/selector.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { SolverPod, TopologyTerm } from './model.js';

export interface Group {
  readonly id: string;
  readonly key: string;
  readonly term: TopologyTerm;
  /** Matching pods per domain (zone, hostname or label value). */
  readonly counts: Map<string, number>;
  /** Pods carrying this group as an anti-affinity term, per domain. */
  readonly owners: Map<string, number>;
  total: number;
}

export interface PodTopology {
  readonly spread: readonly { group: Group; maxSkew: number }[];
  readonly affinity: readonly Group[];
  readonly anti: readonly Group[];
  /** Groups whose selector this pod matches (its placement changes their counts). */
  readonly matched: readonly Group[];
  /** Whether the placement needs the node's zone (a zone-keyed term, or a zone-keyed group it counts in). */
  readonly needsZone: boolean;
  readonly constrained: boolean;
}

/** A domain lookup: the value of `key` on a node, or undefined when the node lacks it (or it is not known yet). */
export type DomainOf = (key: string) => string | undefined;

function termId(t: TopologyTerm): string {
  return `${t.key}|${[...t.namespaces].sort().join(',')}|${JSON.stringify(t.selector)}`;
}

function bump(map: Map<string, number>, domain: string, by: number): void {
  map.set(domain, (map.get(domain) ?? 0) + by);
}

/** Whether a topology term (spread, affinity) counts this pod: one of its namespaces, its selector matches. */
export function termSelects(
  term: Pick<TopologyTerm, 'namespaces' | 'selector'>,
  p: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> },
): boolean {
  return term.namespaces.includes(p.namespace) && selectorMatches(term.selector, p.labels);
}

export class Topology {
  private readonly groups = new Map<string, Group>();
  private readonly matchMemo = new Map<string, Group[]>();
  private readonly ownerGroups: Group[] = [];

  private group(t: TopologyTerm): Group {
    const id = termId(t);
    let g = this.groups.get(id);
    if (!g) {
      g = { id, key: t.key, term: t, counts: new Map(), owners: new Map(), total: 0 };
      this.groups.set(id, g);
      this.matchMemo.clear();
    }
    return g;
  }

  /** Registers every pod's terms first, so that counting sees all groups. */
  register(pods: readonly SolverPod[]): void {
    for (const p of pods) {
      for (const t of [...p.spread, ...p.affinity]) this.group(t);
      for (const t of p.antiAffinity) {
        const g = this.group(t);
        if (!this.ownerGroups.includes(g)) this.ownerGroups.push(g);
      }
    }
  }

  /** Groups whose selector matches a pod with these labels in this namespace. */
  matching(namespace: string, labels: Readonly<Record<string, string>>): Group[] {
    const memoKey = `${namespace}\u0000${JSON.stringify(labels)}`;
    let hit = this.matchMemo.get(memoKey);
    if (!hit) {
      hit = [...this.groups.values()].filter((g) => termSelects(g.term, { namespace, labels }));
      this.matchMemo.set(memoKey, hit);
    }
    return hit;
  }

  of(pod: SolverPod): PodTopology {
    const spread = pod.spread.map((s) => ({ group: this.group(s), maxSkew: s.maxSkew }));
    const affinity = pod.affinity.map((t) => this.group(t));
    const anti = pod.antiAffinity.map((t) => this.group(t));
    const matched = this.matching(pod.namespace, pod.labels);
    const keyed = [...spread.map((s) => s.group), ...affinity, ...anti, ...matched];
    const ownerMatch = this.ownerGroups.some((g) => matched.includes(g));
    return {
      spread,
      affinity,
      anti,
      matched,
      needsZone: keyed.some((g) => g.key === LABEL.zone),
      constrained: spread.length + affinity.length + anti.length > 0 || ownerMatch,
    };
  }

  /**
   * Why the pod may not go where `domainOf` says, or undefined if it may. `zoneDomains` are the zones
   * a zone spread counts over (the pod's eligible zones, empty ones included).
   */
  violation(t: PodTopology, domainOf: DomainOf, zoneDomains: readonly string[]): string | undefined {
    return (
      this.spreadViolation(t, domainOf, zoneDomains) ??
      affinityViolation(t, domainOf) ??
      antiViolation(t, domainOf)
    );
  }

  private spreadViolation(
    t: PodTopology,
    domainOf: DomainOf,
    zoneDomains: readonly string[],
  ): string | undefined {
    for (const { group, maxSkew } of t.spread) {
      const d = domainOf(group.key);
      if (d === undefined) return `node has no ${group.key} label`;
      const self = t.matched.includes(group) ? 1 : 0;
      const count = (group.counts.get(d) ?? 0) + self;
      if (count - this.minCount(group, zoneDomains) > maxSkew)
        return `topology spread on ${group.key} (maxSkew ${maxSkew})`;
    }
    return undefined;
  }

  /** The lowest count over a spread's domains: eligible zones for the zone key, 0 for hostnames. */
  private minCount(g: Group, zoneDomains: readonly string[]): number {
    if (g.key === LABEL.hostname) return 0;
    const domains = g.key === LABEL.zone ? zoneDomains : [...g.counts.keys()];
    let min = Number.POSITIVE_INFINITY;
    for (const d of domains) min = Math.min(min, g.counts.get(d) ?? 0);
    return Number.isFinite(min) ? min : 0;
  }

  /** A zone-spread's count in a zone, for choosing the emptiest zone. */
  countIn(t: PodTopology, zone: string): number {
    let n = 0;
    for (const { group } of t.spread) if (group.key === LABEL.zone) n += group.counts.get(zone) ?? 0;
    for (const g of t.affinity) if (g.key === LABEL.zone && (g.counts.get(zone) ?? 0) > 0) n -= 1_000_000;
    return n;
  }

  record(t: PodTopology, domainOf: DomainOf, count = 1): void {
    for (const g of t.matched) {
      const d = domainOf(g.key);
      g.total += count;
      if (d !== undefined) bump(g.counts, d, count);
    }
    for (const g of t.anti) {
      const d = domainOf(g.key);
      if (d !== undefined) bump(g.owners, d, count);
    }
  }
}

function affinityViolation(t: PodTopology, domainOf: DomainOf): string | undefined {
  for (const g of t.affinity) {
    const d = domainOf(g.key);
    const here = d === undefined ? 0 : (g.counts.get(d) ?? 0);
    // The first pod of a group that selects itself may go anywhere (the scheduler's special case).
    if (here === 0 && !(g.total === 0 && t.matched.includes(g))) return `pod affinity on ${g.key}`;
  }
  return undefined;
}

function antiViolation(t: PodTopology, domainOf: DomainOf): string | undefined {
  for (const g of t.anti) {
    const d = domainOf(g.key);
    if (d !== undefined && (g.counts.get(d) ?? 0) > 0) return `pod anti-affinity on ${g.key}`;
  }
  for (const g of t.matched) {
    if (g.owners.size === 0) continue;
    const d = domainOf(g.key);
    if (d !== undefined && (g.owners.get(d) ?? 0) > 0) return `another pod's anti-affinity on ${g.key}`;
  }
  return undefined;
}
