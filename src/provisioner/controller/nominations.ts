/**
 * The Nodes the provisioner's rounds planned waiting pods onto (Karpenter's nominated nodes): while
 * those pods are on their way — behind Berth's scheduling gate, or waiting for kube-scheduler — the
 * Node looks empty or underused, and disruption must leave it alone, or it removes the capacity just
 * bought for them. A 10,000-pod scale-out on kwok lifted its gates over 11 minutes; emptiness took 96
 * of the nodes launched for them before their pods arrived, and decided on 769 more.
 *
 * A Node — or the claim launched for it, before it has one — stays nominated while a pod planned onto
 * it still waits (the caller says which do: its cache), until `ttlMs` after it was last planned there:
 * each launch names its claim for the pods it is launched for, and each round's targets renew the
 * Nodes they name. A pod planned elsewhere since moves its nomination, and a pod bound nominates
 * nothing, so the window only bounds a nomination no round renews: 5 minutes, the longest a pod stays
 * gated (a round launching 1,720 claims took 2 min 41 s, with no other round meanwhile; Karpenter's
 * window is 20 s, twice its batch maximum).
 */
export const NOMINATION_MS = 5 * 60_000;

export class Nominations {
  /** Per pod (solver id), the Node the latest round that planned it put it on, and when. */
  private readonly pods = new Map<string, { node: string; at: number }>();
  private readonly byNode = new Map<string, Set<string>>();
  private pruned = 0;

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = NOMINATION_MS,
  ) {}

  /** Pods planned onto Nodes or claims (pod → name): a round's targets, or a launch's pods. */
  record(targets: ReadonlyMap<string, string>): void {
    const now = this.now();
    if (now - this.pruned > this.ttlMs / 10) {
      this.pruned = now;
      for (const [pod, e] of this.pods) if (now - e.at > this.ttlMs) this.drop(pod);
    }
    for (const [pod, node] of targets) {
      this.drop(pod);
      this.pods.set(pod, { node, at: now });
      let set = this.byNode.get(node);
      if (!set) this.byNode.set(node, (set = new Set()));
      set.add(pod);
    }
  }

  /** Whether a pod planned onto `node` within the window still `waiting` (not bound, not gone). */
  has(node: string, waiting: (pod: string) => boolean): boolean {
    const now = this.now();
    for (const pod of this.byNode.get(node) ?? []) {
      const e = this.pods.get(pod);
      if (e && now - e.at <= this.ttlMs && waiting(pod)) return true;
    }
    return false;
  }

  /** The Node or claim a pod was last planned onto, within the window. */
  nodeOf(pod: string): string | undefined {
    const e = this.pods.get(pod);
    return e && this.now() - e.at <= this.ttlMs ? e.node : undefined;
  }

  private drop(pod: string): void {
    const e = this.pods.get(pod);
    if (!e) return;
    this.pods.delete(pod);
    const set = this.byNode.get(e.node);
    set?.delete(pod);
    if (set?.size === 0) this.byNode.delete(e.node);
  }
}
