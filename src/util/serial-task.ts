/**
 * A controller's work loop: an async task run after a quiet period (debounced), never twice at once —
 * asked again while it runs, it runs once more when done — and only while active (the Lease is held).
 * Given its controller's reconcile metrics, each run is counted as a reconcile of a singleton queue.
 */
import type { Reconciles } from '../observability/controller-metrics.js';

export class SerialTask {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  active = false;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly onError: (e: unknown) => void,
    private readonly debounceMs: number,
    private readonly reconciles?: Pick<Reconciles, 'queued' | 'run'>,
  ) {}

  /** Runs the task `ms` (default: the debounce) from now, unless asked again before. */
  schedule(ms = this.debounceMs): void {
    if (!this.active) return;
    this.reconciles?.queued();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.run();
    }, ms);
  }

  start(): void {
    this.active = true;
  }

  stop(): void {
    this.active = false;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      await (this.reconciles ? this.reconciles.run(this.task) : this.task());
    } catch (e) {
      this.onError(e);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }
}
