/**
 * The serving certificate in a cluster (`--tls-secret`): kept in a Secret of Berth's namespace and
 * copied into the folder the HTTPS servers reload from (--tls-dir, an emptyDir in the chart). Nothing
 * the Deployment mounts depends on it, so a replica starts without any hook having run first.
 *
 * - Issued by Berth (the default): the first replica to find no Secret issues a CA and the pair; every
 *   replica renews what is within 30 days of expiry, writing over the version it read, so one write
 *   wins and the others take the winner's. A renewed CA keeps the old one in the bundle until it
 *   expires (certs/rotate.ts), so replicas still serving the old pair stay trusted.
 * - Issued by cert-manager (`--cert-manager`): the Secret is only read, and a replica waits for it.
 *
 * Every replica reads the Secret again each interval and reports a changed CA bundle, which the
 * webhook registration writes into the webhook configurations.
 */
import { writeFileSync, readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CERT_DEFAULTS } from '../certs/defaults.js';
import { planCerts, type CertFiles } from '../certs/rotate.js';
import type { Versioned } from '../certs/stores.js';

export interface CertSecret {
  describe(): string;
  loadVersioned(): Promise<Versioned>;
  saveIfUnchanged(files: CertFiles, resourceVersion: string | undefined): Promise<'saved' | 'conflict'>;
}

export interface ServingCertDeps {
  secret: CertSecret;
  /** false: another issuer (cert-manager) writes the Secret; Berth only reads it. */
  issue: boolean;
  /** The names the API server reaches Berth by (the Service's, and --webhook-host's). */
  names: { dns: readonly string[]; ips: readonly string[] };
  /** Where tls.crt, tls.key and ca.crt are written for the servers to reload. */
  dir: string;
  clock: () => Date;
  logger: Logger;
}

/** What a read of the Secret gave: the pair is there (and in the folder), or not yet (cert-manager). */
export type CertSync = { ready: true; caBundle: string | undefined } | { ready: false; reason: string };

const FILES = [
  ['tls.key', 0o600],
  ['tls.crt', 0o644],
  ['ca.crt', 0o644],
] as const;

export class ServingCert {
  private timer: NodeJS.Timeout | undefined;
  private bundle: string | undefined;

  constructor(private readonly d: ServingCertDeps) {}

  /** One pass: issue or renew when this replica issues, then copy the pair into the folder. */
  async sync(attempt = 0): Promise<CertSync> {
    const read = await this.d.secret.loadVersioned();
    let files = read.files;
    if (this.d.issue) {
      const plan = planCerts(files, {
        dns: this.d.names.dns,
        ips: this.d.names.ips,
        now: this.d.clock(),
        ...CERT_DEFAULTS,
      });
      if (plan.changed) {
        const saved = await this.d.secret.saveIfUnchanged(plan.files, read.resourceVersion);
        // Another replica wrote first: take its certificate (read again), once.
        if (saved === 'conflict' && attempt < 1) return this.sync(attempt + 1);
        if (saved === 'conflict')
          return { ready: false, reason: `${this.d.secret.describe()} keeps changing` };
        this.d.logger.info(
          { secret: this.d.secret.describe(), actions: plan.actions },
          'serving certificate',
        );
        files = plan.files;
      }
    }
    const cert = files['tls.crt'];
    const key = files['tls.key'];
    if (cert === undefined || key === undefined)
      return { ready: false, reason: `${this.d.secret.describe()} has no tls.crt and tls.key yet` };
    this.write({ 'tls.key': key, 'tls.crt': cert, 'ca.crt': files['ca.crt'] ?? '' });
    return { ready: true, caBundle: files['ca.crt'] };
  }

  /** Until the pair is in the folder: each failure logged, tried again every `retryMs`. */
  async ensure(retryMs = 2000): Promise<string | undefined> {
    for (;;) {
      const r = await this.sync().catch((e: unknown) => ({ ready: false as const, reason: String(e) }));
      if (r.ready) {
        this.bundle = r.caBundle;
        return r.caBundle;
      }
      this.d.logger.warn({ reason: r.reason }, 'waiting for the serving certificate');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }

  /** Reads the Secret every `intervalMs`; `onBundle` hears of a changed CA bundle. */
  start(intervalMs: number, onBundle: (pem: string | undefined) => void): void {
    const tick = (): void => {
      this.sync()
        .then((r) => {
          if (!r.ready) this.d.logger.warn({ reason: r.reason }, 'serving certificate not refreshed');
          else if (r.caBundle !== this.bundle) {
            this.bundle = r.caBundle;
            onBundle(r.caBundle);
          }
        })
        .catch((e: unknown) => {
          this.d.logger.warn({ err: String(e) }, 'serving certificate not refreshed');
        })
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Only what changed: the servers reload on a changed file (the key first, then its certificate). */
  private write(files: Record<(typeof FILES)[number][0], string>): void {
    mkdirSync(this.d.dir, { recursive: true });
    for (const [name, mode] of FILES) {
      const path = join(this.d.dir, name);
      if (existsSync(path) && readFileSync(path, 'utf8') === files[name]) continue;
      writeFileSync(path, files[name], { mode });
    }
  }
}
