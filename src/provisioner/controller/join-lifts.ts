/**
 * Gates lifted as the Nodes their pods were launched for join, between rounds. A round that launches
 * holds its pods' gates until the claims' Nodes are there, and the next round — asked for by the
 * joins — lets them through. But rounds run one at a time, and a round is not over until its last
 * launch returns (NodeClaim and cloud call; the claim's record follows): 1,723 launches took ~65 s
 * on kwok at ×10, while its first Nodes joined 5 s after their launch. Meanwhile no round runs, and
 * the pods on those Nodes wait for nothing. (Before the records followed, 174 launches took 12.7 s
 * at full size.)
 *
 * So a pod still nominated (nominations.ts) onto the claim it was launched for — or onto a Node a round
 * placed it on — goes through as soon as that Node can take pods, steered there, as the next round
 * would have let it. Pods with a DoNotSchedule topology spread are left to the rounds, which let them
 * through in layers kube-scheduler cannot reorder into a skew (spread-lifts.ts). Pure.
 */
import type { GatedPod, Lift } from './gates.js';

/** A gated pod, and whether it has a DoNotSchedule topology spread. */
export interface JoinCandidate extends GatedPod {
  readonly spread: boolean;
}

/**
 * The lifts for pods whose nominated Node or claim (`nominatedOn`) is a Node that can take pods now
 * (`usable`: that Node's name, or undefined), largest first.
 */
export function joinLifts(
  gated: readonly JoinCandidate[],
  nominatedOn: (pod: string) => string | undefined,
  usable: (nameOrClaim: string) => string | undefined,
): Lift[] {
  const out: { lift: Lift; size: number }[] = [];
  for (const p of gated) {
    if (p.spread) continue;
    const nominated = nominatedOn(p.id);
    const node = nominated === undefined ? undefined : usable(nominated);
    if (node !== undefined) out.push({ lift: { id: p.id, reason: 'capacity', node }, size: p.size ?? 0 });
  }
  return out.sort((a, b) => b.size - a.size).map((x) => x.lift);
}

/** A Node as join lifts see it. */
export interface JoinableNode {
  readonly name: string;
  /** Its provider ID (a claim's instance is found by it when the Node is not named after the claim). */
  readonly providerId?: string;
  /** Ready, schedulable, not being deleted, and without a taint only a starting node carries. */
  readonly usable: boolean;
}

/**
 * `usable` for joinLifts: a name is usable when it is a usable Node's, or a claim's (`providerOf`:
 * its recorded provider ID) whose Node is usable.
 */
export function usableLookup(
  nodes: readonly JoinableNode[],
  providerOf: (claim: string) => string | undefined,
): (nameOrClaim: string) => string | undefined {
  const byName = new Map<string, string>();
  const byProvider = new Map<string, string>();
  for (const n of nodes) {
    if (!n.usable) continue;
    byName.set(n.name, n.name);
    if (n.providerId !== undefined) byProvider.set(n.providerId, n.name);
  }
  return (name) => {
    const direct = byName.get(name);
    if (direct !== undefined) return direct;
    const provider = providerOf(name);
    return provider === undefined ? undefined : byProvider.get(provider);
  };
}
