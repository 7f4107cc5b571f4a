/**
 * Offerings that recently failed for lack of capacity, remembered for a few minutes (Karpenter keeps
 * them 3 minutes) so that the next plan avoids them. The clock is injected.
 */
import type { Offering } from './provider.js';

export const UNAVAILABLE_TTL_MS = 3 * 60_000;

export class UnavailableOfferings {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = UNAVAILABLE_TTL_MS,
  ) {}

  private static key(type: string, zone: string, capacityType: string): string {
    return `${type}/${zone}/${capacityType}`;
  }

  mark(offerings: readonly Offering[]): void {
    const until = this.now() + this.ttlMs;
    for (const o of offerings)
      this.until.set(UnavailableOfferings.key(o.instanceType, o.zone, o.capacityType), until);
  }

  has(type: string, zone: string, capacityType: string): boolean {
    const key = UnavailableOfferings.key(type, zone, capacityType);
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(key);
    return false;
  }

  /** The offerings unavailable now, as `type/zone/capacityType`. */
  keys(): string[] {
    const now = this.now();
    return [...this.until].filter(([, until]) => until > now).map(([key]) => key);
  }

  /** A predicate for the solver's input. */
  predicate(): (type: string, zone: string, capacityType: string) => boolean {
    return (t, z, c) => this.has(t, z, c);
  }
}
