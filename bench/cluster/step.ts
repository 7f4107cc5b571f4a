/**
 * One step of a workload on one side of `npm run bench:cluster`: make the change (create or scale
 * Deployments, or change the NodePool's template), wait for its end, and read its figures.
 * - scale-out ends when every pod of the namespace is Running;
 * - scale-in ends when every pod is Running, no node is leaving and no node has come or gone for the
 *   settle time; its time is that of the last node change (or of the last pod Running, if later);
 * - drift waits 30 s first (as Karpenter's suite does), then ends as scale-in does, once every node
 *   of before the change is gone.
 */
import type { Catalog } from '../../src/catalog/catalog.js';
import { priceOfLabels } from '../../src/catalog/catalog.js';
import type { kubectlWith } from '../../test/e2e/harness.js';
import { deploymentOf, NAMESPACE, pdbOf, type Deploy, type Step } from '../../test/support/perf-workloads.js';
import {
  auditCounts,
  podCreates,
  type ClusterObserver,
  type PodCreates,
  type ProcessSampler,
} from './observe.js';
import { quantile, type StepResult } from './report.js';
import { creationWindow, windowLine } from './window.js';
import { withGate } from './ideal.js';
import type { Side } from './sides.js';
import type { BurstTrace } from './trace.js';

export interface StepContext {
  /** The side's provisioner: told of the apply, and the gate it wants in the Deployments' template. */
  provisioner: Pick<Side, 'gate' | 'applied'>;
  workload: string;
  side: string;
  kubectl: ReturnType<typeof kubectlWith>;
  observer: ClusterObserver;
  sampler: ProcessSampler;
  auditLog: string;
  catalog: Catalog;
  settleMs: number;
  timeoutMs: number;
  log: (s: string) => void;
  /** Where each scale-out's creations spent their time, logged after it. */
  trace: BurstTrace;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function change(ctx: StepContext, step: Step): void {
  const run = (args: string[], input?: string) => {
    const r = ctx.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  };
  if (step.kind === 'drift') {
    const patch = {
      spec: { template: { metadata: { annotations: { 'test-drift-trigger': `drift-${Date.now()}` } } } },
    };
    run(['patch', 'nodepool', 'perf', '--type=merge', '-p', JSON.stringify(patch)]);
    return;
  }
  if (step.kind === 'scale-out' && step.create.length > 0)
    run(
      ['apply', '-f', '-'],
      step.create
        .flatMap((d) => [withGate(deploymentOf(d), ctx.provisioner.gate), pdbOf(d.name)])
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
  for (const [name, replicas] of Object.entries(step.kind === 'churn' ? step.low : step.scale))
    run(['scale', 'deployment', name, '-n', NAMESPACE, `--replicas=${replicas}`]);
}

/**
 * A churn step's minutes: the Deployments alternate between low and high each minute, ending high;
 * the nodes' $/h is sampled every 5 s. Node launches and removals per hour over the window, and the
 * time-averaged $/h, in words for the step's note.
 */
async function churn(
  ctx: StepContext,
  step: Extract<Step, { kind: 'churn' }>,
  start: number,
): Promise<string> {
  const prices: number[] = [];
  const price = () =>
    ctx.observer.liveNodes().reduce((sum, [, n]) => sum + priceOfLabels(ctx.catalog, n.labels), 0);
  const end = start + step.minutes * 60_000;
  for (let minute = 1; Date.now() < end; minute++) {
    const next = Math.min(end, start + minute * 60_000);
    while (Date.now() < next) {
      prices.push(price());
      await sleep(Math.min(5_000, Math.max(0, next - Date.now())));
    }
    const to = minute % 2 === 1 || next >= end ? step.scale : step.low;
    for (const [name, replicas] of Object.entries(to)) {
      const r = ctx.kubectl(['scale', 'deployment', name, '-n', NAMESPACE, `--replicas=${replicas}`]);
      if (r.code !== 0) throw new Error(`kubectl scale ${name}: ${r.stderr.trim()}`);
    }
  }
  const nodes = [...ctx.observer.nodes.values()];
  const hours = step.minutes / 60;
  const launched = nodes.filter((n) => n.seen >= start && n.seen <= end).length;
  const removed = nodes.filter((n) => n.gone !== undefined && n.gone >= start && n.gone <= end).length;
  const avg = prices.reduce((a, b) => a + b, 0) / Math.max(1, prices.length);
  // Removed in each minute of the window (a low, a high, …): which phase the removals come from.
  const byMinute = Array.from({ length: step.minutes }, () => 0);
  for (const n of nodes) {
    if (n.gone === undefined || n.gone < start || n.gone > end) continue;
    const m = Math.min(step.minutes - 1, Math.floor((n.gone - start) / 60_000));
    byMinute[m] = (byMinute[m] ?? 0) + 1;
  }
  return `churn ${step.minutes} min: ${launched} nodes launched, ${removed} removed (${(launched / hours).toFixed(0)} / ${(removed / hours).toFixed(0)} per hour; removed by minute, low first: ${byMinute.join(' ')}); $${avg.toFixed(3)}/h on average`;
}

/**
 * kube-scheduler's FailedScheduling events in the namespace, by message (counts as N): why pods went
 * somewhere else than planned or waited, for the log of the run.
 */
function schedulingFailures(ctx: StepContext): string[] {
  const r = ctx.kubectl([
    'get',
    'events',
    '-n',
    NAMESPACE,
    '--field-selector',
    'reason=FailedScheduling',
    '-o',
    'jsonpath={range .items[*]}{.count}{"\\t"}{.message}{"\\n"}{end}',
  ]);
  if (r.code !== 0) return [];
  const by = new Map<string, number>();
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const m = line.slice(tab + 1).replace(/\d+/g, 'N');
    by.set(m, (by.get(m) ?? 0) + (Number(line.slice(0, tab)) || 1));
  }
  return [...by.entries()].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${n}× ${m}`);
}

/** The pods' creations as the API server timed them, and where the slow ones' time went. */
function creationsLine(c: PodCreates, start: number): string {
  if (c.count === 0) return 'pod creations: none in the audit log';
  const q = (x: number) => (quantile(c.seconds, x) ?? 0).toFixed(3);
  const layers = [...c.slow.layers.entries()]
    .filter(([k]) => k !== 'total')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, v]) => `${k} ${(v / Math.max(1, c.slow.count)).toFixed(3)}`)
    .join(', ');
  const total = (c.slow.layers.get('total') ?? 0) / Math.max(1, c.slow.count);
  return [
    `pod creations (API server): ${c.count}, the last at +${(((c.lastAt ?? start) - start) / 1000).toFixed(1)} s;`,
    `each took p50 ${q(0.5)} / p90 ${q(0.9)} / p99 ${q(0.99)} s`,
    // The API server adds its per-layer latencies to a slow request's event only when it tracked them.
    ...(c.slow.count === 0
      ? []
      : [`; ${c.slow.count} broken down by the API server, on average ${total.toFixed(3)} s: ${layers}`]),
  ].join(' ');
}

function stepName(step: Step, expected: number): string {
  return `${step.kind} ${expected}`;
}

/** Waits for the step's end; the time it ended at, or null past the timeout. */
async function ended(
  ctx: StepContext,
  step: Step,
  expected: number,
  start: number,
  before: ReadonlySet<string>,
) {
  const o = ctx.observer;
  const until = start + ctx.timeoutMs;
  while (Date.now() < until) {
    if (o.allRunning(expected)) {
      const lastRunning = Math.max(start, ...o.live().map((p) => p.running ?? 0));
      if (step.kind === 'scale-out') return lastRunning;
      const live = o.liveNodes();
      const replaced = step.kind !== 'drift' || live.every(([name]) => !before.has(name));
      const quiet =
        live.every(([, n]) => !n.leaving) && Date.now() - Math.max(o.lastNodeChange, start) >= ctx.settleMs;
      if (replaced && quiet) return Math.max(o.lastNodeChange, lastRunning);
    }
    await sleep(500);
  }
  return null;
}

export async function runStep(
  ctx: StepContext,
  step: Step,
  planned: { deploys: ReadonlyMap<string, Deploy>; bound: number },
): Promise<StepResult> {
  const o = ctx.observer;
  const expected = [...planned.deploys.values()].reduce((n, d) => n + d.replicas, 0);
  if (step.kind === 'drift') await sleep(30_000);
  const nodesBefore = new Set(o.liveNodes().map(([name]) => name));
  const podsBefore = new Set(o.pods.keys());
  const protectedNodes = new Set(
    o
      .live()
      .filter((p) => p.node !== undefined && p.doNotDisrupt)
      .map((p) => p.node ?? ''),
  );
  const audit0 = auditCounts(ctx.auditLog);
  const violations0 = o.pdbViolations;
  o.countPdbViolations(step.kind !== 'scale-out');
  ctx.sampler.start();
  ctx.trace.start();
  const start = Date.now();
  change(ctx, step);
  if (step.kind === 'scale-out') ctx.provisioner.applied?.(start);
  const churned = step.kind === 'churn' ? await churn(ctx, step, start) : undefined;
  const end = await ended(ctx, step, expected, start, nodesBefore);
  const windowEnd = Date.now();
  for (const b of o.pdbBelow.slice(violations0))
    ctx.log(
      `${ctx.workload} on ${ctx.side}: PDB ${b.pdb} below its minimum at +${((b.at - start) / 1000).toFixed(1)} s: ` +
        `${b.healthy} healthy, ${b.desired} desired`,
    );
  const { pods: created, bindings: bound } = podCreates(ctx.auditLog, start, windowEnd);
  if (step.kind === 'scale-out') {
    for (const l of schedulingFailures(ctx).slice(0, 5))
      ctx.log(`${ctx.workload} on ${ctx.side}: FailedScheduling ${l}`);
    ctx.log(`${ctx.workload} on ${ctx.side}: ${creationsLine(created, start)}`);
    ctx.log(`${ctx.workload} on ${ctx.side}: ${ctx.trace.line()}`);
    const window = creationWindow(ctx.auditLog, start, windowEnd);
    ctx.log(
      `${ctx.workload} on ${ctx.side}: ${windowLine(window)}` +
        (window ? ctx.trace.windowLine(window.from, window.to) : ''),
    );
    if (bound.lastAt !== undefined)
      ctx.log(
        `${ctx.workload} on ${ctx.side}: bindings (API server): ${bound.count}, ` +
          `the first / median / last at +${[0, 0.5, 1]
            .map((q) => (((quantile(bound.at, q) ?? start) - start) / 1000).toFixed(1))
            .join(' / +')} s`,
      );
  }
  ctx.trace.stop();
  const proc = ctx.sampler.stop();
  o.countPdbViolations(false);
  const audit = auditCounts(ctx.auditLog);
  const fresh = [...o.pods.entries()].filter(([uid]) => !podsBefore.has(uid)).map(([, p]) => p);
  const starts = fresh.filter((p) => p.running !== undefined).map((p) => ((p.running ?? 0) - p.seen) / 1000);
  const pendingOver60 = fresh.filter((p) => ((p.running ?? p.gone ?? windowEnd) - p.seen) / 1000 > 60).length;
  const live = o.liveNodes();
  const kept = [...protectedNodes].filter((n) => live.some(([name]) => name === n)).length;
  return {
    workload: ctx.workload,
    step: stepName(step, expected),
    side: ctx.side,
    seconds: end === null ? null : (end - start) / 1000,
    ...(step.kind === 'scale-out'
      ? {
          podStartP50: quantile(starts, 0.5),
          podStartP99: quantile(starts, 0.99),
          createP50: quantile(created.seconds, 0.5),
          createP99: quantile(created.seconds, 0.99),
          // The API server's time of the last creation; the bench's watch sees pods later when it lags.
          lastCreated: ((created.lastAt ?? Math.max(start, ...fresh.map((p) => p.seen))) - start) / 1000,
        }
      : {}),
    nodes: live.length,
    launched: live.filter(([name]) => !nodesBefore.has(name)).length,
    removed: [...nodesBefore].filter((n) => !live.some(([name]) => name === n)).length,
    price: live.reduce((sum, [, n]) => sum + priceOfLabels(ctx.catalog, n.labels), 0),
    bound: planned.bound,
    evictions: audit.evictions - audit0.evictions,
    refusedEvictions: audit.refused - audit0.refused,
    podDeletes: audit.podDeletes - audit0.podDeletes,
    pdbViolations: o.pdbViolations - violations0,
    pendingOver60,
    cpuSeconds: proc.cpuSeconds,
    avgCores: proc.avgCores,
    p95RssMb: proc.p95RssMb,
    requestsPerSecond: (audit.requests - audit0.requests) / Math.max(0.001, (windowEnd - start) / 1000),
    ...(protectedNodes.size > 0 && step.kind !== 'scale-out'
      ? { note: `${kept} of ${protectedNodes.size} nodes with do-not-disrupt pods kept` }
      : {}),
    ...(churned !== undefined ? { note: churned } : {}),
  };
}
