/**
 * A leader duty: work only the Lease holder does (as a controller-runtime Runnable that needs leader
 * election). The DutyManager starts every duty, in order, when this replica wins the Lease and stops
 * them, in reverse order, when it loses it or shuts down; a duty that fails to start is logged and
 * counted, and the others run on.
 */
import type { Logger } from 'pino';

export interface LeaderDuty {
  /** For logs and metrics (`berth_leader_duty_running{duty}`). */
  readonly name: string;
  /** The Lease is won: begin. May be called again after a stop. */
  start(): void | Promise<void>;
  /** The Lease is lost, or the process ends: stop and let go of what was started. */
  stop(): void | Promise<void>;
}

export interface DutyGauge {
  set(labels: { duty: string }, value: number): void;
}

export class DutyManager {
  private leading = false;
  /** Bumped by every stop: a start still under way sees it and starts nothing more. */
  private term = 0;
  /** The stop under way, so that a second stop (shutdown after losing the Lease) waits for the first. */
  private stopping: Promise<void> = Promise.resolve();

  constructor(
    readonly duties: readonly LeaderDuty[],
    private readonly logger: Logger,
    private readonly running?: DutyGauge,
  ) {}

  /** Starts every duty in order; resolves once each has started (or failed to). */
  async start(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    const term = this.term;
    await this.stopping;
    for (const duty of this.duties) {
      if (term !== this.term) return; // the Lease was lost while starting: stop() takes over
      try {
        await duty.start();
        this.running?.set({ duty: duty.name }, 1);
      } catch (e) {
        this.logger.error({ duty: duty.name, err: String(e) }, 'leader duty did not start');
      }
    }
  }

  /** Stops every duty, last started first; a failing stop does not keep the others running. */
  stop(): Promise<void> {
    if (!this.leading) return this.stopping;
    this.leading = false;
    this.term++;
    this.stopping = this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    for (const duty of [...this.duties].reverse()) {
      try {
        await duty.stop();
      } catch (e) {
        this.logger.error({ duty: duty.name, err: String(e) }, 'leader duty did not stop cleanly');
      }
      this.running?.set({ duty: duty.name }, 0);
    }
  }
}
