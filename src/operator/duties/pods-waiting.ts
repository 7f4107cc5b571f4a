/**
 * Whether pods wait on the API server: created in the last RECENT_MS and gated at the scheduling
 * gates' last look, or let through in the last RECENT_MS and not bound yet (a pod that waits longer
 * is not one of a burst, and holds nothing back). While they do, the NodeClaims duty puts off
 * writes that nothing waits on (provisioner/nodeclaim/deferral.ts).
 */
import type { V1Pod } from '@kubernetes/client-node';

/** How long a gated pod (since its creation) or a lifted one (since its lift) counts as waiting. */
const RECENT_MS = 60_000;

export class PodsWaiting {
  /** The creation times of the pods gated at the last look. */
  private gated: readonly number[] = [];
  /** Pods lifted, by namespace/name, with when. */
  private readonly lifts = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** The scheduling gates' last look saw pods behind the gate created at these times (ms). */
  sawGated(createdAt: readonly number[]): void {
    this.gated = createdAt;
  }

  /** A pod's gate came off now. */
  lifted(namespace: string, name: string): void {
    this.lifts.set(`${namespace}/${name}`, this.now());
  }

  /** Whether any pod waits: gated, or lifted lately and still unbound in `pod` (a cache lookup). */
  any(pod: (namespace: string, name: string) => V1Pod | undefined): boolean {
    const now = this.now();
    if (this.gated.some((at) => now - at <= RECENT_MS)) return true;
    for (const [key, at] of this.lifts) {
      const slash = key.indexOf('/');
      const p = pod(key.slice(0, slash), key.slice(slash + 1));
      if (now - at > RECENT_MS || p === undefined || p.spec?.nodeName !== undefined) this.lifts.delete(key);
      else return true;
    }
    return false;
  }

  clear(): void {
    this.gated = [];
    this.lifts.clear();
  }
}
