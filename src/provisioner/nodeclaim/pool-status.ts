/**
 * NodePool status from its NodeClaims, as Karpenter's counter and status controllers write it:
 * `status.resources` (the claims' capacity summed: cpu, memory, pods, and `nodes`), `status.nodes`, and
 * the conditions ValidationSucceeded, NodeClassReady and Ready. The same sums are the pool's usage
 * against `spec.limits`. Pure.
 */
import { LABEL } from '../../catalog/instance-type.js';
import { formatCpu, formatMemory } from '../../kube/quantity.js';
import {
  capacityUsage,
  formatLimit,
  limitResourceName,
  type LimitKey,
  type PoolView,
} from '../../scheduling/nodepool.js';
import type { ClaimCondition, NodeClaim } from './object.js';
import { poolOf } from './object.js';

/** What a pool's nodes count against its limits: every resource of their capacity, and how many. */
export type PoolUsage = Partial<Record<LimitKey, number>>;

/** Adds one node's or claim's capacity to a pool's usage. */
export function addUsage(into: PoolUsage, capacity: Readonly<Record<string, string | number>>): void {
  for (const [k, v] of Object.entries(capacityUsage(capacity)))
    into[k as LimitKey] = (into[k as LimitKey] ?? 0) + v;
}

/** Each pool's claims' capacity (launched claims; those being deleted still hold theirs). */
export function poolUsage(claims: readonly NodeClaim[]): Map<string, PoolUsage> {
  const out = new Map<string, PoolUsage>();
  for (const c of claims) {
    const pool = poolOf(c);
    const cap = c.status?.capacity;
    if (pool === undefined || cap === undefined) continue;
    const u = out.get(pool) ?? {};
    addUsage(u, cap);
    out.set(pool, u);
  }
  return out;
}

/**
 * The usage with the claims the provisioner launched that the claim cache does not show with their
 * capacity yet (its watch lags the launch): each counted as a node of its type, so that the next round
 * never launches past a limit on a stale count (Karpenter counts its in-flight claims too).
 */
export function withInFlight(
  usage: Map<string, PoolUsage>,
  claims: readonly NodeClaim[],
  inFlight: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[],
  capacityOf: (instanceType: string) => Readonly<Record<string, string | number>> | undefined,
): Map<string, PoolUsage> {
  const counted = new Set(claims.filter((c) => c.status?.capacity !== undefined).map((c) => c.metadata.name));
  for (const f of inFlight) {
    const pool = f.labels[LABEL.nodePool];
    const capacity = capacityOf(f.labels[LABEL.instanceType] ?? '');
    if (pool === undefined || counted.has(f.name) || capacity === undefined) continue;
    const u = usage.get(pool) ?? {};
    addUsage(u, capacity);
    usage.set(pool, u);
  }
  return usage;
}

export interface ClassState {
  readonly ready: boolean;
  readonly reason: string;
  readonly message: string;
}

export interface PoolStatus {
  resources: Record<string, string>;
  nodes: number;
  conditions: ClaimCondition[];
}

/** Which limit the pool has reached, if any, in the words `kubectl describe nodepool` shows. */
export function limitReached(pool: PoolView, u: PoolUsage | undefined): string | undefined {
  for (const [k, limit] of Object.entries(pool.limits) as [LimitKey, number][]) {
    const used = u?.[k] ?? 0;
    if (used < limit) continue;
    return `${limitResourceName(k)} limit ${formatLimit(k, limit)} reached (${formatLimit(k, used)} launched)`;
  }
  return undefined;
}

export function poolStatus(u: PoolUsage | undefined, cls: ClassState): PoolStatus {
  const cond = (type: string, ok: boolean, reason: string, message = ''): ClaimCondition => ({
    type,
    status: ok ? 'True' : 'False',
    reason,
    message,
  });
  const classReady = cls.ready
    ? cond('NodeClassReady', true, 'NodeClassReady')
    : cond('NodeClassReady', false, cls.reason, cls.message);
  const conditions = [
    cond('ValidationSucceeded', true, 'ValidationSucceeded'),
    classReady,
    cls.ready
      ? cond('Ready', true, 'Ready')
      : cond('Ready', false, 'NodeClassNotReady', `EC2NodeClass is not ready: ${cls.message}`),
  ];
  return {
    resources: {
      cpu: formatCpu(u?.cpuMillis ?? 0),
      memory: formatMemory(u?.memoryMiB ?? 0),
      pods: String(u?.pods ?? 0),
      nodes: String(u?.nodes ?? 0),
      ...extraResources(u),
    },
    nodes: u?.nodes ?? 0,
    conditions,
  };
}

/** status.resources beyond cpu, memory, pods and nodes: what the claims have of the rest, when any. */
function extraResources(u: PoolUsage | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['ephemeralMiB', 'nvidiaGpu', 'amdGpu', 'neuron', 'neuronCore'] as const) {
    const v = u?.[k];
    if (v !== undefined && v > 0) out[limitResourceName(k)] = formatLimit(k, v);
  }
  return out;
}
