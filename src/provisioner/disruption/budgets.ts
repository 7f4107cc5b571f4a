/**
 * A NodePool's disruption budgets, exactly as Karpenter v1 reads them: `nodes` is a count or a
 * percentage of the pool's nodes (percentages round up); `schedule` (cron, UTC) and `duration` are set
 * together and make the budget active only inside their window; `reasons` (Underutilized, Empty,
 * Drifted, and since v1.15 Unhealthy: node repair) limit which disruptions it counts for. The smallest active budget that applies wins; an
 * inactive one is unlimited; absent budgets mean `nodes: 10%`; an invalid one allows nothing.
 */
import { scaleIntOrPercent } from '../../kube/intstr.js';
import type { NodePool } from '../../scheduling/nodepool.js';
import { parseCron, windowOpen, type Cron } from './cron.js';
import { parseGoDuration } from '../../util/go-duration.js';
import { count } from '../../util/canonical.js';
import { BUDGET_NODES, BUDGET_REASONS } from '../../scheduling/nodepool-validation.js';

export type DisruptionReason = (typeof BUDGET_REASONS)[number];
const REASONS: readonly string[] = BUDGET_REASONS;

export interface Budget {
  readonly nodes: string;
  readonly window?: { cron: Cron; durationMs: number; schedule: string; duration: string };
  readonly reasons?: readonly string[];
}

export type BudgetsRead = { ok: true; budgets: readonly Budget[] } | { ok: false; error: string };

const DEFAULT: readonly Budget[] = [{ nodes: '10%' }];

function readWindow(b: { schedule?: unknown; duration?: unknown }, i: number): Budget['window'] | string {
  const durationMs = typeof b.duration === 'string' ? parseGoDuration(b.duration) : undefined;
  if (durationMs === undefined || !Number.isFinite(durationMs))
    return `budgets[${i}].duration ${JSON.stringify(b.duration)} is not a duration (e.g. 8h, 30m, 1h30m)`;
  if (typeof b.schedule !== 'string') return `budgets[${i}].schedule must be a cron schedule`;
  try {
    return { cron: parseCron(b.schedule), durationMs, schedule: b.schedule, duration: String(b.duration) };
  } catch (e) {
    return `budgets[${i}].schedule ${JSON.stringify(b.schedule)}: ${(e as Error).message}`;
  }
}

function readOne(raw: unknown, i: number): Budget | string {
  if (typeof raw !== 'object' || raw === null) return `budgets[${i}] is not an object`;
  const b = raw as { nodes?: unknown; schedule?: unknown; duration?: unknown; reasons?: unknown };
  const nodes = typeof b.nodes === 'number' ? String(b.nodes) : b.nodes;
  if (typeof nodes !== 'string' || !BUDGET_NODES.test(nodes))
    return `budgets[${i}].nodes must be a count or a percentage, got ${JSON.stringify(b.nodes)}`;
  const reasons = b.reasons;
  if (reasons !== undefined && (!Array.isArray(reasons) || reasons.some((r) => !REASONS.includes(String(r)))))
    return `budgets[${i}].reasons must be among ${REASONS.join(', ')}, got ${JSON.stringify(reasons)}`;
  const withReasons = reasons ? { reasons: reasons as string[] } : {};
  if ((b.schedule === undefined) !== (b.duration === undefined))
    return `budgets[${i}]: schedule and duration must be set together`;
  if (b.schedule === undefined) return { nodes, ...withReasons };
  const window = readWindow(b, i);
  return typeof window === 'string' ? window : { nodes, ...(window ? { window } : {}), ...withReasons };
}

export function readBudgets(pool: NodePool): BudgetsRead {
  const raw = pool.spec.disruption?.budgets;
  if (raw === undefined) return { ok: true, budgets: DEFAULT };
  const budgets: Budget[] = [];
  for (const [i, b] of raw.entries()) {
    const one = readOne(b, i);
    if (typeof one === 'string') return { ok: false, error: `NodePool ${pool.metadata.name}: ${one}` };
    budgets.push(one);
  }
  return { ok: true, budgets };
}

export interface Allowance {
  /** Nodes of the pool that may start being disrupted now for this reason. */
  readonly allowed: number;
  /** Why it is what it is, for Events and `kept` reasons. */
  readonly why: string;
}

/**
 * How many more of a pool's nodes may be disrupted for `reason` now: the smallest active budget that
 * counts this reason, scaled against the pool's `total` nodes, less those already disrupting or not Ready.
 */
export function allowance(
  read: BudgetsRead,
  reason: DisruptionReason,
  counts: { total: number; disrupting: number },
  now: Date,
): Allowance {
  if (!read.ok) return { allowed: 0, why: `${read.error} (an invalid budget allows no disruption)` };
  let min = Number.POSITIVE_INFINITY;
  let which: Budget | undefined;
  for (const b of read.budgets) {
    if (b.reasons && !b.reasons.includes(reason)) continue;
    if (b.window && !windowOpen(b.window.cron, now, b.window.durationMs)) continue;
    const scaled = scaleIntOrPercent(b.nodes, counts.total, true);
    const v = scaled?.value ?? 0;
    if (v < min) [min, which] = [v, b];
  }
  if (which === undefined) return { allowed: Number.POSITIVE_INFINITY, why: 'no budget limits it now' };
  const allowed = Math.max(0, min - counts.disrupting);
  const window = which.window
    ? ` (schedule "${which.window.schedule}" for ${which.window.duration}, open now)`
    : '';
  return {
    allowed,
    why: `budget nodes: ${which.nodes}${window} allows ${min} of ${count(counts.total, 'node')}, ${counts.disrupting} already disrupting or not Ready`,
  };
}
