/**
 * Whether pods wait on the API server: gated at the scheduling gates' last look, or let through in
 * the last BOUND_WITHIN_MS and not bound yet. While they do, the NodeClaims duty puts off writes that
 * nothing waits on (provisioner/nodeclaim/deferral.ts).
 */
import type { V1Pod } from '@kubernetes/client-node';

/** How long a lifted pod counts as waiting for its binding at most (one that never binds stops counting). */
const BOUND_WITHIN_MS = 30_000;

export class PodsWaiting {
  private gated = 0;
  /** Pods lifted, by namespace/name, with when. */
  private readonly lifts = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** The scheduling gates' last look saw this many pods behind the gate. */
  sawGated(count: number): void {
    this.gated = count;
  }

  /** A pod's gate came off now. */
  lifted(namespace: string, name: string): void {
    this.lifts.set(`${namespace}/${name}`, this.now());
  }

  /** Whether any pod waits: gated, or lifted lately and still unbound in `pod` (a cache lookup). */
  any(pod: (namespace: string, name: string) => V1Pod | undefined): boolean {
    if (this.gated > 0) return true;
    const now = this.now();
    for (const [key, at] of this.lifts) {
      const slash = key.indexOf('/');
      const p = pod(key.slice(0, slash), key.slice(slash + 1));
      if (now - at > BOUND_WITHIN_MS || p === undefined || p.spec?.nodeName !== undefined)
        this.lifts.delete(key);
      else return true;
    }
    return false;
  }

  clear(): void {
    this.gated = 0;
    this.lifts.clear();
  }
}
