/**
 * Moving a pod with inter-pod constraints from one new node to another, for the shrink pass, only where
 * every constraint provably still holds: each topology group it takes part in is keyed by zone (then it
 * stays in its zone, so no zone count changes) or is a hostname anti-affinity (checked on the target as
 * placement checks it, both directions). Pods in a hostname spread or hostname affinity never move.
 * A tried move updates the counts at once, so the next check sees it; `undo` reverts the moves of a node
 * whose shrink did not work out.
 */
import { LABEL } from '../../catalog/instance-type.js';
import type { Bin } from './bin.js';
import type { SolverPod } from './model.js';
import { domainsOf, type SolverState } from './state.js';
import type { Group, PodTopology } from './topology.js';

function groupsOf(t: PodTopology): Group[] {
  return [...t.spread.map((s) => s.group), ...t.affinity, ...t.anti, ...t.matched];
}

export class Relocator {
  private readonly movable = new Map<string, PodTopology>();
  private log: (() => void)[] = [];

  constructor(
    private readonly state: SolverState,
    pods: readonly { pod: SolverPod; topo: PodTopology }[],
  ) {
    // Hostname groups whose counts matter beyond anti-affinity: someone spreads or gathers by them.
    const counted = new Set<Group>();
    for (const { topo } of pods)
      for (const g of [...topo.spread.map((s) => s.group), ...topo.affinity])
        if (g.key === LABEL.hostname) counted.add(g);
    for (const { pod, topo } of pods) {
      const groups = groupsOf(topo);
      if (groups.length === 0) continue;
      const safe = groups.every((g) => g.key === LABEL.zone || (g.key === LABEL.hostname && !counted.has(g)));
      if (safe) this.movable.set(pod.id, topo);
    }
  }

  /** Pods with constraints that may move (free pods are the shrink pass's own). */
  has(id: string): boolean {
    return this.movable.has(id);
  }

  /** Whether the pod may leave `from` for `to`; if so the counts say it did (until `undo`). */
  tryMove(pod: SolverPod, from: Bin, to: Bin): boolean {
    const t = this.movable.get(pod.id);
    if (!t) return true;
    if (from.domain(LABEL.zone) !== to.domain(LABEL.zone)) return false;
    const topology = this.state.topology;
    topology.record(t, domainsOf(from), -1);
    if (topology.violation(t, domainsOf(to), this.state.zoneDomains(pod)) !== undefined) {
      topology.record(t, domainsOf(from), 1);
      return false;
    }
    topology.record(t, domainsOf(to), 1);
    this.log.push(() => {
      topology.record(t, domainsOf(to), -1);
      topology.record(t, domainsOf(from), 1);
    });
    return true;
  }

  undo(): void {
    for (const u of this.log.reverse()) u();
    this.log = [];
  }

  commit(): void {
    this.log = [];
  }
}
