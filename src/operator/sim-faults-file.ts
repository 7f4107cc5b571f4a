/**
 * `--kwok-faults FILE`: the simulated cloud's faults (../provisioner/cloud/sim-faults.ts) read from a
 * file whenever it changes, so that a test can refuse capacity or slow launches while Berth runs. A
 * file that does not parse is logged with what is wrong and the faults read before it stay; a file
 * that is gone means no faults.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { NO_FAULTS, parseSimFaults, type SimFaults } from '../provisioner/cloud/sim-faults.js';

export class SimFaultsFile {
  private faults: SimFaults = NO_FAULTS;
  private read: number | undefined;

  constructor(
    private readonly path: string,
    private readonly logger: Logger,
  ) {}

  /** The faults now: the file read again if it changed since. */
  current(): SimFaults {
    let mtime: number;
    try {
      mtime = statSync(this.path).mtimeMs;
    } catch {
      if (this.read !== undefined) this.logger.info({ file: this.path }, 'simulated cloud faults cleared');
      this.read = undefined;
      this.faults = NO_FAULTS;
      return this.faults;
    }
    if (mtime === this.read) return this.faults;
    this.read = mtime;
    const r = parseSimFaults(readFileSync(this.path, 'utf8'));
    if ('errors' in r)
      this.logger.error(
        { file: this.path, errors: r.errors },
        'simulated cloud faults not read; the last ones stay',
      );
    else {
      this.faults = r.faults;
      this.logger.info({ file: this.path, faults: r.faults }, 'simulated cloud faults');
    }
    return this.faults;
  }
}
