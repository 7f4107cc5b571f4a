/**
 * `berth why nodepool`: whether a NodePool can launch now and whether its nodes may be disrupted now —
 * its EC2NodeClass, its usage against each limit, each disruption budget with its schedule and what it
 * allows now, and the waiting pods it takes or that come closest to it. Pure.
 */
import { LABEL } from '../catalog/instance-type.js';
import { allowance, readBudgets, type DisruptionReason } from '../provisioner/disruption/budgets.js';
import { poolUsage } from '../provisioner/nodeclaim/pool-status.js';
import { formatLimit, LIMIT_KEYS, limitResourceName, type PoolView } from '../scheduling/nodepool.js';
import { eventLines, type WhyAnswer } from './answer.js';
import { classify } from '../provisioner/disruption/candidates.js';
import { pdbStates } from '../provisioner/disruption/pods.js';
import { podsByNode } from '../provisioner/input/nodes.js';
import { WhyNotFound } from './not-found.js';
import { poolNotReady } from './readiness.js';
import { simulateRound } from './simulate.js';
import { eventsOf, type WhyWorld } from './world.js';
import { count } from '../util/canonical.js';

const REASONS: readonly DisruptionReason[] = ['Empty', 'Underutilized', 'Drifted', 'Unhealthy'];

/** Each limit with what the pool's claims use of it; the limits reached. */
function limits(w: WhyWorld, view: PoolView): { lines: string[]; reached: string[] } {
  const used = poolUsage(w.nodeClaims).get(view.name) ?? {};
  const lines: string[] = [];
  const reached: string[] = [];
  for (const k of LIMIT_KEYS) {
    const limit = view.limits[k];
    if (limit === undefined) continue;
    const u = used[k] ?? 0;
    const text = `${limitResourceName(k)} ${formatLimit(k, u)} of ${formatLimit(k, limit)}`;
    lines.push(`limit: ${text}`);
    if (u >= limit) reached.push(text);
  }
  return { lines, reached };
}

/** Each budget as written, and what the budgets allow now per disruption reason. */
function budgets(
  w: WhyWorld,
  view: PoolView,
  counts: { total: number; disrupting: number },
): { lines: string[]; closed: boolean } {
  const read = readBudgets(view.pool);
  if (!read.ok)
    return { lines: [`budgets: ${read.error} (an invalid budget allows no disruption)`], closed: true };
  const lines = read.budgets.map((b, i) => {
    const window = b.window ? `, schedule "${b.window.schedule}" for ${b.window.duration}` : '';
    const reasons = b.reasons ? `, reasons ${b.reasons.join(', ')}` : '';
    return `budget ${i}: nodes ${b.nodes}${window}${reasons}`;
  });
  const now = REASONS.map((r) => ({ r, a: allowance(read, r, counts, w.now) }));
  for (const { r, a } of now)
    lines.push(
      `now for ${r}: ${Number.isFinite(a.allowed) ? `${a.allowed} node(s) may start (${a.why})` : a.why}`,
    );
  return { lines, closed: now.every(({ a }) => a.allowed < 1) };
}

/** Waiting pods the provisioner's round puts on this pool, and those it comes closest to taking. */
function waitingFor(w: WhyWorld, view: PoolView): { lines: string[]; closest: string | undefined } {
  const plan = simulateRound(w);
  const placed = plan.nodes.filter((n) => !n.existing && n.nodePool === view.name).flatMap((n) => n.pods);
  const near = plan.unschedulable.filter((u) => u.pools?.[0]?.nodePool === view.name);
  const lines = [
    `waiting pods: ${placed.length} it would launch for, ${near.length} it comes closest to and cannot take`,
  ];
  const first = near[0];
  if (first) lines.push(`e.g. pod ${first.pod}: ${first.pools?.[0]?.reason ?? first.reason}`);
  return {
    lines,
    closest: first
      ? `${count(near.length, 'waiting pod')} come closest to it and it cannot take them (e.g. ${first.pod}: ${first.pools?.[0]?.reason ?? first.reason})`
      : undefined,
  };
}

export function whyNodePool(w: WhyWorld, name: string): WhyAnswer {
  const view = w.pools.find((p) => p.name === name);
  if (!view) throw new WhyNotFound(`nodepool ${name}`, w.source);
  const events = eventLines(eventsOf(w, 'NodePool', name));
  const head = { kind: 'NodePool' as const, name, events };
  const mine = w.nodes.filter((n) => n.metadata?.labels?.[LABEL.nodePool] === name);
  // Budgets count the pool's nodes, and those disrupting or not Ready, as the leader's classify does.
  const counts = classify(mine, podsByNode(w.pods), [view], pdbStates(w.pdbs, w.pods), {
    catalog: w.catalog,
    now: w.now,
  }).counts.get(name) ?? { total: 0, disrupting: 0 };
  const claims = w.nodeClaims.filter((c) => c.metadata.labels?.[LABEL.nodePool] === name);
  const l = limits(w, view);
  const b = budgets(w, view, counts);
  const pods = waitingFor(w, view);
  const d = view.pool.spec.disruption;
  const facts = [
    `${count(mine.length, 'node')}, ${count(claims.length, 'NodeClaim')}; weight ${view.weight}${view.replicas !== undefined ? `; static (replicas: ${view.replicas})` : ''}${view.autoMode ? "; EKS Auto Mode's pool" : ''}`,
    `disruption: consolidationPolicy ${d?.consolidationPolicy ?? 'WhenEmptyOrUnderutilized'}, consolidateAfter ${d?.consolidateAfter ?? '(default)'}, expireAfter ${view.pool.spec.template.spec.expireAfter ?? '720h (default)'}`,
    ...l.lines,
    ...b.lines,
    ...pods.lines,
  ];
  const cls = poolNotReady(w, view);
  if (cls !== undefined) return { ...head, state: 'NotReady', blocker: 'readiness', reason: cls, facts };
  if (l.reached.length > 0)
    return {
      ...head,
      state: 'at its limits',
      blocker: 'limits',
      reason: `NodePool ${name} is at its limits: ${l.reached.join(', ')}; it launches nothing more`,
      fix: 'raise spec.limits, or let its pods use another NodePool',
      facts,
    };
  const disruption = b.closed ? '; its budgets allow no disruption now' : '';
  return {
    ...head,
    state: 'Ready',
    ...(b.closed ? { blocker: 'budget' } : {}),
    reason: `${pods.closest ?? `NodePool ${name} can launch`}${disruption}`,
    facts,
  };
}
