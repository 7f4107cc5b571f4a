/**
 * Which claims' bookkeeping waits. While pods wait on the API server (behind the scheduling gate, or
 * let through and not yet bound), a claim's status (Registered, Initialized, Ready…) and its Node's
 * finalizer are written later: every write goes through the same API server as the pods' lifts and
 * bindings, and nothing waits on these. A claim waits at most `maxMs`, whatever the pods do. Pure
 * apart from the clock it is given.
 */
export class StatusDeferral {
  /** When each claim's write was first put off. */
  private readonly since = new Map<string, number>();

  constructor(private readonly maxMs: number) {}

  /** Whether the claim's write waits now (`busy`: pods wait on the API server). */
  holds(claim: string, busy: boolean, now: number): boolean {
    if (!busy) {
      this.since.delete(claim);
      return false;
    }
    const first = this.since.get(claim);
    if (first === undefined) {
      this.since.set(claim, now);
      return true;
    }
    return now - first < this.maxMs;
  }

  /** The claim's write went out (or it is gone): it waits afresh next time. */
  done(claim: string): void {
    this.since.delete(claim);
  }

  /** Forgets the claims not in `names` (deleted while their writes waited). */
  retain(names: ReadonlySet<string>): void {
    for (const c of this.since.keys()) if (!names.has(c)) this.since.delete(c);
  }
}
