/**
 * Where NodeClaims live: the API server in a cluster (src/kube/nodeclaims.ts), memory for `serve
 * --local`, `berth plan` and tests. Reads come from a cache (a watch in a cluster), writes are awaited.
 * Deleting a claim that carries finalizers only marks it (deletionTimestamp), as the API server does.
 */
import { TERMINATION_FINALIZER, type ClaimStatus, type NodeClaim } from './object.js';

export interface ClaimStore {
  /** Every claim, as last seen (deleting ones included). */
  list(): readonly NodeClaim[];
  get(name: string): NodeClaim | undefined;
  /** Creates the claim; one of that name already there is fine (a retry). */
  create(claim: NodeClaim): Promise<void>;
  /** Merges labels into the metadata, and the status fields given into the status. */
  update(name: string, change: { labels?: Record<string, string>; status?: ClaimStatus }): Promise<void>;
  /** Deletes it (marks it, while it has finalizers); one already gone is fine. */
  delete(name: string): Promise<void>;
  /** Takes Karpenter's termination finalizer off; a claim being deleted then goes. */
  release(name: string, finalizer: string): Promise<void>;
}

/** A store the leader's duties share: its watch starts with the first user and stops with the last. */
export interface SharedClaimStore extends ClaimStore {
  readonly synced: boolean;
  open(): void;
  close(): Promise<void>;
}

/**
 * A claim nothing runs for (a refused or abandoned launch, a cancelled replacement): deleted with its
 * finalizer removed at once, as there is no node to drain.
 */
export async function discard(claims: ClaimStore, name: string): Promise<void> {
  await claims.delete(name);
  await claims.release(name, TERMINATION_FINALIZER);
}

/** Claims in memory, with the API server's deletion semantics. */
export class MemoryClaimStore implements ClaimStore {
  private readonly claims = new Map<string, NodeClaim>();
  private seq = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  list(): readonly NodeClaim[] {
    return [...this.claims.values()];
  }

  get(name: string): NodeClaim | undefined {
    return this.claims.get(name);
  }

  create(claim: NodeClaim): Promise<void> {
    if (!this.claims.has(claim.metadata.name)) {
      this.seq += 1;
      this.claims.set(claim.metadata.name, {
        ...structuredClone(claim),
        metadata: {
          ...structuredClone(claim.metadata),
          uid: `claim-${this.seq}`,
          creationTimestamp: this.clock().toISOString(),
        },
      });
    }
    return Promise.resolve();
  }

  update(name: string, change: { labels?: Record<string, string>; status?: ClaimStatus }): Promise<void> {
    const c = this.claims.get(name);
    if (c) {
      if (change.labels) c.metadata.labels = { ...c.metadata.labels, ...change.labels };
      if (change.status) c.status = { ...c.status, ...structuredClone(change.status) };
    }
    return Promise.resolve();
  }

  delete(name: string): Promise<void> {
    const c = this.claims.get(name);
    if (c && (c.metadata.finalizers ?? []).length === 0) this.claims.delete(name);
    else if (c) c.metadata.deletionTimestamp ??= this.clock().toISOString();
    return Promise.resolve();
  }

  release(name: string, finalizer: string): Promise<void> {
    const c = this.claims.get(name);
    if (c) {
      c.metadata.finalizers = (c.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (c.metadata.finalizers.length === 0 && c.metadata.deletionTimestamp !== undefined)
        this.claims.delete(name);
    }
    return Promise.resolve();
  }
}
