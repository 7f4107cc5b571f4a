/**
 * The background scan (leader only): every existing object Berth has rules for is judged by the
 * admission engine against the cached cluster, and its namespace's PolicyReport rewritten when, and
 * only when, what it says changed. What can change a verdict decides what is re-judged: an object's
 * change (or that of a PDB, HPA, profile or namespace beside it) re-judges its namespace; a
 * policies.yaml reload or a NodePool change re-judges everything; so does the resync interval (exemption
 * expiry, a missed watch event). Writes of one pass are one per changed document.
 */
import type { AdmissionContext } from '../admission/admit.js';
import type { KubeObject } from '../kube/objects.js';
import { MAX_REPORT_BYTES, type PolicyReport, type ReportResult } from './policy-report.js';
import { changesOf, judgedItself, objectResults, reportsFromResults } from './scan.js';
import type { ReportDeps } from './ports.js';
import { ReportTotals } from './totals.js';
import { SerialTask } from '../util/serial-task.js';
import { eachLimited } from '../util/limited.js';

/** Concurrent writes while applying one pass's changes. */
const WRITERS = 4;
/** The longest the scan keeps the event loop before letting reviews in. */
const SLICE_MS = 5;

export interface PassResult {
  namespaces: number;
  objects: number;
  writes: number;
  failed: number;
}

export class ReportController {
  private readonly written = new Map<string, PolicyReport[]>();
  private readonly totals = new ReportTotals();
  private readonly dirty = new Set<string>();
  private all = false;
  private seeded = false;
  /** Failed attempts to list what is written: the retry waits 1 s, 2 s, … up to retryMs. */
  private seedFailures = 0;
  private readonly loop: SerialTask;
  private resync: NodeJS.Timeout | undefined;
  private stops: (() => void)[] = [];
  private sliceStart = 0;

  constructor(private readonly d: ReportDeps) {
    this.loop = new SerialTask(
      () => this.pass(),
      (e) => {
        d.logger.error({ err: String(e) }, 'report scan failed');
      },
      d.debounceMs ?? 1000,
      d.metrics.controllers.for('policyreport'),
    );
  }

  private get active(): boolean {
    return this.loop.active;
  }

  start(): void {
    if (this.active) return;
    this.loop.start();
    const touch = (o: KubeObject) => {
      this.mark(o.metadata?.namespace ?? '');
    };
    this.stops = [
      ...this.d.sources.map((s) => s.onChange(touch)),
      ...this.d.everything.map((sub) =>
        sub(() => {
          this.markAll();
        }),
      ),
    ];
    if (this.d.namespaces)
      this.stops.push(
        this.d.namespaces.onChange((ns, verb) => {
          const name = ns.metadata?.name ?? '';
          if (verb !== 'delete') this.mark(name);
          else this.forget(name);
        }),
      );
    this.resync = setInterval(() => {
      this.markAll();
    }, this.d.resyncMs ?? 600_000);
    this.markAll();
  }

  stop(): void {
    this.loop.stop();
    for (const s of this.stops) s();
    this.stops = [];
    clearInterval(this.resync);
    // The next leader lists what is written; nothing here outlives the Lease.
    this.written.clear();
    this.totals.clear();
    this.seeded = false;
    this.dirty.clear();
  }

  private mark(namespace: string): void {
    this.dirty.add(namespace);
    this.loop.schedule();
  }

  private markAll(): void {
    this.all = true;
    this.loop.schedule();
  }

  private forget(namespace: string): void {
    this.written.delete(namespace);
    this.totals.set(namespace, []);
    this.totals.export(this.d.metrics);
  }

  /** Lists what a previous leader wrote, once per Lease; false while reports cannot be read. */
  private async seed(): Promise<boolean> {
    if (this.seeded) return true;
    try {
      const existing = await this.d.store.list();
      this.written.clear();
      for (const r of existing) {
        const ns = r.metadata.namespace ?? '';
        this.written.set(ns, [...(this.written.get(ns) ?? []), r]);
      }
      this.seeded = true;
      this.seedFailures = 0;
      this.all = true;
      return true;
    } catch (e) {
      this.seedFailures += 1;
      this.d.logger.warn(
        { err: String(e) },
        'PolicyReports cannot be read (is the wgpolicyk8s.io CRD installed? deploy/report-crds); retrying',
      );
      return false;
    }
  }

  /** One pass over what changed. Public for tests and the benchmark: resolves when written. */
  async pass(): Promise<PassResult> {
    const none = { namespaces: 0, objects: 0, writes: 0, failed: 0 };
    const unsynced = this.d.sources.filter((s) => !s.synced);
    if (unsynced.length > 0 || !(await this.seed())) {
      const retry = this.d.retryMs ?? 10_000;
      this.loop.schedule(Math.min(retry, 1000 * 2 ** Math.max(0, this.seedFailures - 1)));
      return none;
    }
    if (!this.active) return none;
    const started = performance.now();
    this.sliceStart = started;
    const byNamespace = this.objectsToJudge();
    const ctx = this.d.context();
    const at = { seconds: Math.floor(this.d.clock().getTime() / 1000) };
    const result = { ...none, namespaces: byNamespace.size };
    const writes: { ns: string; run: () => Promise<void> }[] = [];
    for (const [ns, objects] of byNamespace) {
      result.objects += objects.length;
      const judged = await this.judge(ns, objects, ctx, at);
      if (!judged) return result; // the Lease was lost meanwhile
      const before = this.written.get(ns) ?? [];
      const next = reportsFromResults(ns, judged, {
        previous: before,
        maxBytes: this.d.maxBytes ?? MAX_REPORT_BYTES,
      });
      const changes = changesOf(next, before);
      if (changes.apply.length + changes.remove.length === 0) continue;
      writes.push({ ns, run: () => this.write(ns, next, changes.apply, changes.remove) });
      result.writes += changes.apply.length + changes.remove.length;
    }
    this.d.metrics.reportScanDuration.observe((performance.now() - started) / 1000);
    result.failed = await this.drain(writes);
    this.totals.export(this.d.metrics);
    return result;
  }

  /**
   * One namespace's results, judged a slice at a time: the leader's event loop also answers admission,
   * so the scan yields to it every few milliseconds. Undefined when the Lease was lost meanwhile.
   */
  private async judge(
    ns: string,
    objects: readonly KubeObject[],
    ctx: AdmissionContext,
    at: { seconds: number },
  ): Promise<ReportResult[] | undefined> {
    const out: ReportResult[] = [];
    for (const o of objects) {
      if (judgedItself(o)) out.push(...objectResults(o, ns, ctx, at));
      if (performance.now() - this.sliceStart < SLICE_MS) continue;
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.sliceStart = performance.now();
      if (!this.active) return undefined;
    }
    return out;
  }

  /** The objects of the namespaces to judge: every namespace on a full pass, else the dirty ones. */
  private objectsToJudge(): Map<string, KubeObject[]> {
    const out = new Map<string, KubeObject[]>();
    const add = (ns: string, objects: readonly KubeObject[]) => {
      const list = out.get(ns);
      if (list) list.push(...objects);
      else out.set(ns, [...objects]);
    };
    if (this.all) {
      this.all = false;
      this.dirty.clear();
      for (const ns of this.written.keys()) add(ns, []);
      for (const s of this.d.sources) for (const o of s.list()) add(o.metadata?.namespace ?? '', [o]);
      return out;
    }
    const namespaces = [...this.dirty];
    this.dirty.clear();
    for (const ns of namespaces) {
      add(ns, []);
      for (const s of this.d.sources) add(ns, s.list(ns));
    }
    return out;
  }

  private async write(
    ns: string,
    next: PolicyReport[],
    apply: PolicyReport[],
    remove: PolicyReport[],
  ): Promise<void> {
    for (const r of apply) await this.counted('apply', () => this.d.store.apply(r));
    for (const r of remove) await this.counted('delete', () => this.d.store.remove(r));
    if (!this.active) return;
    if (next.length > 0) this.written.set(ns, next);
    else this.written.delete(ns);
    this.totals.set(ns, next);
  }

  private async counted(verb: 'apply' | 'delete', f: () => Promise<void>): Promise<void> {
    try {
      await f();
      this.d.metrics.reportWrites.inc({ verb, result: 'ok' });
    } catch (e) {
      this.d.metrics.reportWrites.inc({ verb, result: 'error' });
      throw e;
    }
  }

  /** Runs the namespaces' writes a few at a time; a failed namespace is judged again later. */
  private async drain(writes: { ns: string; run: () => Promise<void> }[]): Promise<number> {
    let failed = 0;
    await eachLimited(
      writes,
      WRITERS,
      () => this.active,
      async (w) => {
        try {
          await w.run();
        } catch (e) {
          failed += 1;
          this.dirty.add(w.ns);
          this.d.logger.warn({ namespace: w.ns, err: String(e) }, 'PolicyReport not written; retrying');
        }
      },
    );
    if (failed > 0) this.loop.schedule(this.d.retryMs ?? 10_000);
    return failed;
  }
}
