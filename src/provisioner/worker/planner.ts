/**
 * Where the provisioner's plans are computed. `berth serve` plans on a worker thread with its own heap
 * limit, so that a round over tens of thousands of pods never holds the event loop that answers
 * admission for the whole cluster, and a round that runs out of memory loses the round, not the
 * process. `berth plan` and the tests plan in process: the same solver, the same answer.
 */
import type { ResourceLimits, Worker, WorkerOptions } from 'node:worker_threads';
import type { Catalog } from '../../catalog/catalog.js';
import type { Plan, SolverInput } from '../solver/model.js';
import { solve } from '../solver/solve.js';
import { spawnThread } from '../../util/thread.js';
import { SOLVER_NICE, SOLVER_YOUNG_MIB } from './limits.js';
import { offeringKey, type FromSolver, type ToSolver, type WireInput } from './wire.js';

export interface Planner {
  /** Plans `input` avoiding the `unavailable` offerings (`type/zone/capacityType`). */
  plan(input: SolverInput, unavailable: readonly string[]): Promise<Plan>;
  close(): Promise<void>;
}

/** Why a plan did not come back: its thread ran out of memory, crashed, or took too long. */
export class PlannerError extends Error {
  override readonly name = 'PlannerError';
  constructor(
    message: string,
    readonly reason: 'out-of-memory' | 'crashed' | 'timeout' | 'error',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const inProcessPlanner: Planner = {
  plan(input, unavailable) {
    const keys = new Set(unavailable);
    return Promise.resolve(solve({ ...input, unavailable: (t, z, c) => keys.has(offeringKey(t, z, c)) }));
  },
  close: () => Promise.resolve(),
};

export interface PlanWorkerOptions {
  /** The solver thread's old-generation heap limit. */
  readonly maxHeapMiB: number;
  /** A round that takes longer is abandoned and its thread replaced. */
  readonly timeoutMs: number;
  /** The thread ends after this long without a round, giving its heap back (default 30 s). */
  readonly idleMs?: number;
  /** The thread's nice value (default SOLVER_NICE). */
  readonly nice?: number;
}

interface Pending {
  resolve(plan: Plan): void;
  reject(e: PlannerError): void;
  timer: NodeJS.Timeout;
}

/** The solver thread (src/util/thread.ts finds its module). */
const spawn = (options: WorkerOptions): Worker => spawnThread(import.meta.url, 'solver-thread', options);

/** The input without what cannot cross a thread (the catalog goes apart, by id). */
function toWire(input: SolverInput, unavailable: readonly string[]): WireInput {
  const wire: Record<string, unknown> = { ...input, unavailable };
  delete wire.catalog;
  delete wire.clock;
  return wire as unknown as WireInput;
}

export class PlanWorker implements Planner {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly catalogIds = new WeakMap<Catalog, number>();
  private sentCatalog: number | undefined;
  private next = 0;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly o: PlanWorkerOptions) {}

  plan(input: SolverInput, unavailable: readonly string[]): Promise<Plan> {
    clearTimeout(this.idle);
    const worker = this.started();
    const catalog = this.catalogId(input.catalog);
    if (this.sentCatalog !== catalog) {
      const origin = input.catalog.origin;
      if (!origin)
        return Promise.reject(new PlannerError('the catalog cannot be sent to the solver thread', 'error'));
      worker.postMessage({ type: 'catalog', id: catalog, origin } satisfies ToSolver);
      this.sentCatalog = catalog;
    }
    const id = ++this.next;
    const wire = toWire(input, unavailable);
    return new Promise<Plan>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new PlannerError(`the solver took longer than ${this.o.timeoutMs} ms`, 'timeout'));
      }, this.o.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ type: 'solve', id, catalog, input: wire } satisfies ToSolver);
    });
  }

  /** The heap limits the running thread was given (none between rounds once it has rested). */
  limits(): ResourceLimits | undefined {
    return this.worker?.resourceLimits;
  }

  async close(): Promise<void> {
    clearTimeout(this.idle);
    const w = this.worker;
    this.worker = undefined;
    this.fail(new PlannerError('the planner was closed', 'error'));
    if (w) await w.terminate();
  }

  private catalogId(catalog: Catalog): number {
    let id = this.catalogIds.get(catalog);
    if (id === undefined) this.catalogIds.set(catalog, (id = ++this.next));
    return id;
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = spawn({
      resourceLimits: {
        maxOldGenerationSizeMb: this.o.maxHeapMiB,
        maxYoungGenerationSizeMb: SOLVER_YOUNG_MIB,
      },
      workerData: { nice: this.o.nice ?? SOLVER_NICE },
    });
    worker.unref();
    worker.on('message', (m: FromSolver) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.type === 'plan') p.resolve(m.plan);
      else p.reject(new PlannerError(`the solver failed: ${m.message}`, 'error'));
      if (this.pending.size === 0) this.rest(worker);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const oom = e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.fail(
        new PlannerError(
          oom
            ? `the solver ran out of its ${this.o.maxHeapMiB} MiB heap`
            : `the solver thread crashed: ${e.message}`,
          oom ? 'out-of-memory' : 'crashed',
          { cause: e },
        ),
      );
    });
    // A thread already replaced (timed out, idle) takes nothing with it.
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.fail(new PlannerError('the solver thread exited', 'crashed'));
    });
    this.worker = worker;
    this.sentCatalog = undefined;
    return worker;
  }

  /** No round waiting: end the thread after the idle time (a burst's heap is not kept for nothing). */
  private rest(worker: Worker): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, this.o.idleMs ?? 30_000);
    this.idle.unref();
  }

  /** Every round waiting on the current thread fails; the thread is replaced on the next plan. */
  private fail(e: PlannerError): void {
    const w = this.worker;
    if (e.reason === 'timeout' && w) {
      this.worker = undefined;
      void w.terminate();
    }
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(id);
    }
  }
}
