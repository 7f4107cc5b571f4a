/**
 * Where a scale-out's pod creations spent their time (bench:cluster logs it after each scale-out):
 * how long kube-apiserver waited on each admission webhook (its
 * apiserver_admission_webhook_admission_duration_seconds), how long Berth took once a review had
 * reached it and how many TLS connections the API server opened to it (Berth's own metrics), and the
 * CPU seconds of every process of the bench over the step (/proc: the control plane, kwok, the
 * provisioner, the webhook, the bench's own watches), with what each waited for a CPU, over the step
 * and over the creation window (sched.ts; the window itself comes from the audit log, window.ts).
 */
import { readdirSync } from 'node:fs';
import { procStat } from './observe.js';
import { childSched, SchedTimeline, type Sched } from './sched.js';
import {
  apiserverWebhooks,
  counter,
  delta,
  histogramQuantile,
  berthReviews,
  observations,
  scrape,
  type Histograms,
} from '../histograms.js';

export interface TraceSources {
  /** kube-apiserver's URL and a token that may read its /metrics. */
  server: string;
  token: string;
  /** The webhook's metrics page: Berth's, or the no-op webhook's (its connections only). */
  webhookMetrics?: string | undefined;
  /** The provisioner's process (named so in the CPU list). */
  provisionerPid?: number | undefined;
}

interface Snapshot {
  apiserver: Histograms;
  berth: Histograms;
  connections: number;
  /** Seconds the gate's thread was busy (Berth: berth_gate_thread_busy_seconds_total). */
  gateBusy: number;
  cpu: Map<string, number>;
}

/** A process's /proc/<pid>/stat, or undefined once it has gone. */
function stat(pid: string): ReturnType<typeof procStat> | undefined {
  try {
    return procStat(pid);
  } catch {
    return undefined;
  }
}

/** The name a process the bench started goes by in the trace. */
const childName =
  (provisionerPid: number | undefined) =>
  (pid: number, comm: string): string =>
    pid === provisionerPid ? 'provisioner' : comm === 'node' ? 'no-op webhook' : comm;

/** CPU seconds so far of each process the bench started, by name, and of the bench itself. */
export function childCpu(provisionerPid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const named = childName(provisionerPid);
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const s = stat(pid);
    if (s?.ppid !== process.pid) continue;
    const name = named(Number(pid), s.comm);
    out.set(name, (out.get(name) ?? 0) + s.cpuSeconds);
  }
  const own = process.cpuUsage();
  out.set('bench', (own.user + own.system) / 1e6);
  return out;
}

export class BurstTrace {
  private before: Snapshot | undefined;
  /** The gate thread's busiest second so far (fraction of the second), sampled each second. */
  private peakBusy = 0;
  private sampler: NodeJS.Timeout | undefined;
  /** Every process's schedstat each second: over the step (line) and the creation window (windowLine). */
  private readonly timeline: SchedTimeline;

  constructor(private readonly src: TraceSources) {
    this.timeline = new SchedTimeline(() => childSched(childName(src.provisionerPid)));
  }

  /** Reads the gate's busy counter each second, without blocking the bench's watches. */
  private samplePeak(fromBusy: number): void {
    const url = this.src.webhookMetrics;
    if (url === undefined || !url.startsWith('http://')) return;
    // From the start's own read, so that a burst over within the first second is counted too.
    let last = { at: performance.now(), busy: fromBusy };
    clearInterval(this.sampler);
    this.sampler = setInterval(() => {
      fetch(url)
        .then((r) => r.text())
        .then((page) => {
          const now = { at: performance.now(), busy: counter(page, 'berth_gate_thread_busy_seconds_total') };
          this.peakBusy = Math.max(this.peakBusy, (now.busy - last.busy) / ((now.at - last.at) / 1000));
          last = now;
        })
        .catch(() => undefined);
    }, 1000);
  }

  private snapshot(): Snapshot {
    const page = this.src.webhookMetrics ? scrape(this.src.webhookMetrics) : '';
    return {
      apiserver: apiserverWebhooks(this.src.server, this.src.token),
      berth: berthReviews(page),
      connections: counter(page, 'berth_webhook_connections_total'),
      gateBusy: counter(page, 'berth_gate_thread_busy_seconds_total'),
      cpu: childCpu(this.src.provisionerPid),
    };
  }

  start(): void {
    this.before = this.snapshot();
    this.peakBusy = 0;
    this.samplePeak(this.before.gateBusy);
    this.timeline.start();
  }

  /**
   * Stops the sampling (the gate's counter, the schedstat timeline). Every step starts the trace; only
   * a scale-out reads its line, so each step stops it at its end, else its timers keep the bench alive
   * after the summary.
   */
  stop(): void {
    clearInterval(this.sampler);
    this.sampler = undefined;
    this.timeline.stop();
  }

  /** What each process waited for a CPU between `from` and `to` (the creation window), as a clause. */
  windowLine(from: number, to: number): string {
    const w = this.timeline.within(from, to);
    if (!w) return '';
    return `; waiting for a CPU in ${((w.to - w.from) / 1000).toFixed(0)} s around it, s of s on one: ${perProcess(w.sched)}`;
  }

  /** What happened since start, as one log line. */
  line(): string {
    const before = this.before;
    if (!before) return 'trace: not started';
    this.stop();
    const after = this.snapshot();
    const ms = (b: Map<number, number>, q: number) => (histogramQuantile(b, q) * 1000).toFixed(1);
    /** Each series observed between the two reads: its count, p50 and p99. */
    const observed = (from: Histograms, to: Histograms) =>
      [...delta(from, to)]
        .filter(([, b]) => observations(b) > 0)
        .map(([k, b]) => `${k} ${observations(b)}× p50 ${ms(b, 0.5)} / p99 ${ms(b, 0.99)} ms`);
    const waited = observed(before.apiserver, after.apiserver);
    const own = observed(before.berth, after.berth);
    const cpu = [...after.cpu]
      .map(([name, s]) => [name, s - (before.cpu.get(name) ?? 0)] as const)
      .sort((a, b) => b[1] - a[1])
      .map(([name, s]) => `${name} ${s.toFixed(1)}`);
    return [
      `trace: the API server waited on webhooks: ${waited.join('; ') || 'none called'}`,
      ...(own.length > 0 ? [`; Berth's own review time: ${own.join('; ')}`] : []),
      ...(this.src.webhookMetrics
        ? [
            `; TLS connections the API server opened to the webhook: ${String(after.connections - before.connections)}`,
          ]
        : []),
      ...(after.gateBusy > 0
        ? [
            `; the gate's thread busy ${(after.gateBusy - before.gateBusy).toFixed(2)} s, ` +
              `${(this.peakBusy * 100).toFixed(0)}% of its busiest second`,
          ]
        : []),
      `; CPU s over the step: ${cpu.join(', ')}`,
      waitedForCpu(this.timeline.span(), delta(before.apiserver, after.apiserver)),
    ].join('');
  }
}

/** Each process's seconds waiting for a CPU and on one, the longest wait first. */
const perProcess = (sched: Map<string, Sched>): string =>
  [...sched]
    .filter(([k]) => !k.includes('/'))
    .sort((a, b) => b[1].wait - a[1].wait)
    .map(([k, s]) => `${k} ${s.wait.toFixed(1)} of ${s.cpu.toFixed(1)}`)
    .join(', ');

/** The thread that answers the webhook's reviews: Berth's gate thread, or the no-op's only thread. */
const SERVING = ['provisioner/berth-gate', 'no-op webhook/main'];

/**
 * Seconds each process waited for a CPU over the step (of its seconds on one), and what the thread
 * answering the gate waited a review: the part of the API server's wait that is the CPU being taken.
 */
export function waitedForCpu(sched: Map<string, Sched>, waited: Histograms): string {
  if (sched.size === 0) return '';
  const serving = SERVING.find((k) => sched.has(k));
  const gateReviews = [...waited]
    .filter(([k]) => k.startsWith('gate.'))
    .reduce((n, [, b]) => n + observations(b), 0);
  const thread = serving === undefined ? undefined : sched.get(serving);
  const perReview =
    thread && gateReviews > 0
      ? `; ${serving ?? ''} waited ${thread.wait.toFixed(2)} s for a CPU (on one ${thread.cpu.toFixed(2)} s): ` +
        `${((thread.wait / gateReviews) * 1000).toFixed(2)} ms a gate review, ${String(gateReviews)} reviews`
      : '';
  return `; waiting for a CPU, s of s on one: ${perProcess(sched)}${perReview}`;
}
