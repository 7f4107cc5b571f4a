/**
 * NodePool status from its NodeClaims, as Karpenter's counter and status controllers write it:
 * `status.resources` (the claims' capacity summed: cpu, memory, pods, and `nodes`), `status.nodes`, and
 * the conditions ValidationSucceeded, NodeClassReady and Ready. The same sums are the pool's usage
 * against `spec.limits`. Pure.
 */
import { cpuMillis, formatCpu, formatMemory, memoryMiB } from '../../kube/quantity.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { ClaimCondition, NodeClaim } from './object.js';
import { poolOf } from './object.js';

export interface PoolUsage {
  cpuMillis: number;
  memoryMiB: number;
  pods: number;
  nodes: number;
}

/** Each pool's claims' capacity (launched claims; those being deleted still hold theirs). */
export function poolUsage(claims: readonly NodeClaim[]): Map<string, PoolUsage> {
  const out = new Map<string, PoolUsage>();
  for (const c of claims) {
    const pool = poolOf(c);
    const cap = c.status?.capacity;
    if (pool === undefined || cap === undefined) continue;
    const u = out.get(pool) ?? { cpuMillis: 0, memoryMiB: 0, pods: 0, nodes: 0 };
    u.cpuMillis += cpuMillis(cap.cpu) ?? 0;
    u.memoryMiB += memoryMiB(cap.memory) ?? 0;
    u.pods += Number(cap.pods ?? 0) || 0;
    u.nodes += 1;
    out.set(pool, u);
  }
  return out;
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
  const { cpuMillis: cpu, memoryMiB: mem } = pool.limits;
  if (cpu !== undefined && (u?.cpuMillis ?? 0) >= cpu)
    return `cpu limit ${formatCpu(cpu)} reached (${formatCpu(u?.cpuMillis ?? 0)} launched)`;
  if (mem !== undefined && (u?.memoryMiB ?? 0) >= mem)
    return `memory limit ${formatMemory(mem)} reached (${formatMemory(u?.memoryMiB ?? 0)} launched)`;
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
    },
    nodes: u?.nodes ?? 0,
    conditions,
  };
}

export const poolUsageForSolver = (
  usage: ReadonlyMap<string, PoolUsage>,
): Map<string, { cpuMillis: number; memoryMiB: number }> =>
  new Map([...usage].map(([k, v]) => [k, { cpuMillis: v.cpuMillis, memoryMiB: v.memoryMiB }]));
