/**
 * PodDisruptionBudget arithmetic with the disruption controller's semantics: percentages round up for
 * both minAvailable and maxUnavailable; a budget with neither field allows nothing (fail-closed).
 */
import { scaleIntOrPercent, type IntOrString } from '../kube/intstr.js';
import { count } from '../util/canonical.js';

export interface Budget {
  minAvailable?: IntOrString | undefined;
  maxUnavailable?: IntOrString | undefined;
}

export interface DisruptionMath {
  allowed: number;
  /** Human arithmetic, e.g. "80% of 3 rounds up to 3". */
  arithmetic: string;
  /** The budget as written, e.g. "minAvailable 80%". */
  budget: string;
}

export function describeBudget(b: Budget): string {
  if (b.maxUnavailable !== undefined) return `maxUnavailable ${String(b.maxUnavailable)}`;
  if (b.minAvailable !== undefined) return `minAvailable ${String(b.minAvailable)}`;
  return 'neither minAvailable nor maxUnavailable';
}

/** Evictions allowed with all `replicas` pods healthy. */
export function disruptionsAllowed(b: Budget, replicas: number): DisruptionMath {
  const budget = describeBudget(b);
  if (b.maxUnavailable !== undefined) {
    const s = scaleIntOrPercent(b.maxUnavailable, replicas, true);
    if (!s) return { allowed: 0, arithmetic: `invalid maxUnavailable ${String(b.maxUnavailable)}`, budget };
    const allowed = Math.max(0, Math.min(s.value, replicas));
    const arithmetic =
      s.percent === undefined
        ? `${s.value} of ${replicas}`
        : `${s.percent}% of ${replicas} rounds up to ${s.value}`;
    return { allowed, arithmetic, budget };
  }
  if (b.minAvailable !== undefined) {
    const s = scaleIntOrPercent(b.minAvailable, replicas, true);
    if (!s) return { allowed: 0, arithmetic: `invalid minAvailable ${String(b.minAvailable)}`, budget };
    const allowed = Math.max(0, replicas - s.value);
    const arithmetic =
      s.percent === undefined
        ? `${s.value} of ${replicas} must stay available`
        : `${s.percent}% of ${replicas} rounds up to ${s.value}`;
    return { allowed, arithmetic, budget };
  }
  return { allowed: 0, arithmetic: 'a budget with neither field blocks every eviction', budget };
}

/** The smallest replica count at which a minAvailable percentage allows one eviction (none for 100%). */
export function replicasForOneEviction(percent: number): number | undefined {
  if (percent >= 100) return undefined;
  for (let r = 2; r <= 10_000; r++) if (Math.ceil((percent * r) / 100) <= r - 1) return r;
  return undefined;
}

/**
 * The smallest change that lets one pod be evicted at `replicas`, in the words of the budget's own
 * fields: e.g. "set minAvailable to 66% or run at least 5 replicas".
 */
export function drainFix(
  b: Budget,
  replicas: number,
  alt: (r: number) => string = (r) => `run at least ${count(r, 'replica')}`,
): string {
  if (b.maxUnavailable !== undefined) return 'set maxUnavailable to 1 (or a percentage above 0%)';
  if (b.minAvailable === undefined)
    return 'set maxUnavailable: 1 (or a minAvailable below the replica count)';
  const s = scaleIntOrPercent(b.minAvailable, replicas, true);
  if (s?.percent !== undefined) {
    const pct = replicas >= 2 ? Math.floor((100 * (replicas - 1)) / replicas) : 0;
    const r = replicasForOneEviction(s.percent);
    const more = r === undefined ? 'use maxUnavailable: 1' : alt(r);
    return pct > 0 ? `set minAvailable to ${pct}% or ${more}` : `${more}, or use maxUnavailable: 1`;
  }
  const m = s?.value ?? 0;
  const lower = replicas >= 2 ? `set minAvailable to ${replicas - 1}` : 'use maxUnavailable: 1';
  return `${lower} or ${alt(m + 1)}`;
}
