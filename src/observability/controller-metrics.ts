/**
 * controller-runtime's reconcile and workqueue metrics, for every leader duty, as Karpenter's
 * controllers export them (sigs.k8s.io/controller-runtime v0.23.1, the version Karpenter v1.14.1
 * builds with: pkg/internal/controller/metrics/metrics.go, pkg/internal/metrics/workqueue.go, and
 * pkg/internal/controller/controller.go for when each moves). Karpenter's performance dashboard draws
 * its reconcile panels from these, by `controller`.
 *
 * Berth's duties are singleton controllers, as Karpenter's provisioner and disruption controllers are:
 * one item in the queue, added when a change or a timer asks for a round, taken when the round
 * starts. `Reconciles.run` is one reconcile: time, result, errors (each a requeue with backoff, so a
 * retry), the worker busy while it runs. A duty that knows it has more to do says `requeue`.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type ReconcileResult = 'success' | 'requeue' | 'requeue_after';

/** controller-runtime's ReconcileTime buckets. */
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go's workqueue buckets: ExponentialBuckets(10e-9, 10, 12), 10 ns to 1,000 s. */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1)));

export class ControllerMetrics {
  private readonly byName = new Map<string, Reconciles>();
  readonly total: Counter<'controller' | 'result'>;
  readonly errors: Counter<'controller'>;
  readonly time: Histogram<'controller'>;
  readonly workers: Gauge<'controller'>;
  readonly active: Gauge<'controller'>;
  readonly depth: Gauge<'name' | 'controller' | 'priority'>;
  readonly adds: Counter<'name' | 'controller'>;
  readonly queueLatency: Histogram<'name' | 'controller'>;
  readonly workDuration: Histogram<'name' | 'controller'>;
  readonly retries: Counter<'name' | 'controller'>;

  constructor(
    registry: Registry,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {
    const registers = [registry];
    const ctl = ['controller'] as const;
    const queue = ['name', 'controller'] as const;
    this.total = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.errors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ctl,
      registers,
    });
    this.time = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ctl,
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.workers = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ctl,
      registers,
    });
    this.active = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ctl,
      registers,
    });
    this.depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue by workqueue and priority',
      labelNames: ['name', 'controller', 'priority'],
      registers,
    });
    this.adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: queue,
      registers,
    });
    this.queueLatency = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: queue,
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames: queue,
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.retries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: queue,
      registers,
    });
    // A singleton queue has one processor: the work in progress and the longest running are the same.
    const byName = this.byName;
    const clock = this.now;
    function collect(this: Gauge<'name' | 'controller'>): void {
      const t = clock();
      for (const [name, r] of byName) this.set({ name, controller: name }, r.runningFor(t));
    }
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.",
      labelNames: queue,
      registers,
      collect,
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames: queue,
      registers,
      collect,
    });
  }

  /** The metrics of one controller, its series present (at zero) from the first call, as controller-runtime does at start. */
  for(name: string): Reconciles {
    let r = this.byName.get(name);
    if (!r) {
      r = new Reconciles(name, this, this.now);
      this.byName.set(name, r);
    }
    return r;
  }
}

export class Reconciles {
  private addedAt: number | undefined;
  private startedAt: number | undefined;
  /** The controller's label sets, built once: every reconcile (a pod event, for metrics.pod) uses them. */
  private readonly c: { controller: string };
  private readonly q: { name: string; controller: string };
  private readonly qp: { name: string; controller: string; priority: string };

  constructor(
    readonly name: string,
    private readonly m: ControllerMetrics,
    private readonly now: () => number,
  ) {
    this.c = { controller: name };
    this.q = { name, controller: name };
    this.qp = { ...this.q, priority: '' };
    for (const result of ['error', 'requeue_after', 'requeue', 'success'])
      m.total.inc({ ...this.c, result }, 0);
    m.errors.inc(this.c, 0);
    m.workers.set(this.c, 1);
    m.active.set(this.c, 0);
    m.depth.set(this.qp, 0);
    m.adds.inc(this.q, 0);
    m.retries.inc(this.q, 0);
  }

  /** A round is asked for (a change, a timer); asked again before it starts, it is still one item. */
  queued(): void {
    if (this.addedAt !== undefined) return;
    this.addedAt = this.now();
    this.m.adds.inc(this.q);
    this.m.depth.set(this.qp, 1);
  }

  /** Seconds the reconcile under way has run, 0 when none is. */
  runningFor(now: number): number {
    return this.startedAt === undefined ? 0 : now - this.startedAt;
  }

  /** One reconcile: taken off the queue (added now if nothing asked), timed, its result counted; errors rethrown. */
  async run<T>(reconcile: () => Promise<T>, result?: (t: T) => ReconcileResult): Promise<T> {
    const start = this.begin();
    try {
      const out = await reconcile();
      this.end(start, result?.(out) ?? 'success');
      return out;
    } catch (e) {
      this.end(start, 'error');
      throw e;
    }
  }

  /** A reconcile that does not wait on anything (an event counted into metrics). */
  runSync<T>(reconcile: () => T): T {
    const start = this.begin();
    try {
      const out = reconcile();
      this.end(start, 'success');
      return out;
    } catch (e) {
      this.end(start, 'error');
      throw e;
    }
  }

  private begin(): number {
    this.queued();
    const start = this.now();
    this.m.queueLatency.observe(this.q, start - (this.addedAt ?? start));
    this.addedAt = undefined;
    this.m.depth.set(this.qp, 0);
    this.startedAt = start;
    this.m.active.inc(this.c);
    return start;
  }

  private end(start: number, result: ReconcileResult | 'error'): void {
    if (result === 'error') {
      this.m.errors.inc(this.c);
      this.m.retries.inc(this.q);
    }
    this.m.total.inc({ ...this.c, result });
    const took = this.now() - start;
    this.m.time.observe(this.c, took);
    this.m.workDuration.observe(this.q, took);
    this.m.active.dec(this.c);
    this.startedAt = undefined;
  }
}

/** One reconcile of the controller `name`, counted when there are metrics to count it in. */
export function reconcile<T>(
  m: ControllerMetrics | undefined,
  name: string,
  fn: () => Promise<T>,
  result?: (t: T) => ReconcileResult,
): Promise<T> {
  return m ? m.for(name).run(fn, result) : fn();
}

/** As `reconcile`, for a reconcile that does not wait on anything. */
export function reconcileSync<T>(m: ControllerMetrics | undefined, name: string, fn: () => T): T {
  return m ? m.for(name).runSync(fn) : fn();
}
