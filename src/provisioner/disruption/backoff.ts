/**
 * A node whose replacement failed — it did not launch, or did not join and become Ready in time — is
 * not disrupted again at once: each failure doubles its wait (1 minute, then 2, 4 … up to 30), and the
 * node says so (a DisruptionBlocked Event, `berth why node`). Karpenter retries such a node every
 * disruption loop (a drift whose replacement cannot launch is tried again every 10 s; #1775, #3080).
 * A replacement that becomes Ready clears the node's count. Pure but for the counts it keeps.
 */

const FIRST_MS = 60_000;
const MAX_MS = 30 * 60_000;

interface Failure {
  readonly count: number;
  readonly at: number;
  readonly until: number;
  readonly why: string;
}

export class ReplacementBackoff {
  private readonly nodes = new Map<string, Failure>();

  /** The nodes' replacement failed at `now`: how long they wait before the next try (ms). */
  failed(nodes: readonly string[], why: string, now: number): number {
    let wait = FIRST_MS;
    for (const n of nodes) {
      const count = (this.nodes.get(n)?.count ?? 0) + 1;
      wait = Math.min(FIRST_MS * 2 ** (count - 1), MAX_MS);
      this.nodes.set(n, { count, at: now, until: now + wait, why });
    }
    return wait;
  }

  /** Their replacements are Ready: the counts start again. */
  succeeded(nodes: readonly string[]): void {
    for (const n of nodes) this.nodes.delete(n);
  }

  /** Why the node waits, while it does. */
  waiting(node: string, now: number): string | undefined {
    const f = this.nodes.get(node);
    if (!f || f.until <= now) return undefined;
    const ago = Math.round((now - f.at) / 1000);
    const left = Math.round((f.until - now) / 1000);
    return `its replacement failed ${ago}s ago (${f.why}); tried again in ${left}s (backoff after ${f.count} ${f.count === 1 ? 'failure' : 'failures'})`;
  }

  /** Nodes no longer in the cluster are forgotten. */
  keepOnly(present: ReadonlySet<string>): void {
    for (const n of this.nodes.keys()) if (!present.has(n)) this.nodes.delete(n);
  }
}
