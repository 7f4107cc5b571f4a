/**
 * What a replica sets up for the API server to reach it, in cluster mode: the serving certificate
 * (--tls-secret, serving-cert.ts) before its servers listen, and its webhook configurations
 * (--webhooks, webhook-registration.ts) once /readyz passes, again whenever the CA bundle or
 * provisioner.mode changes. A failed registration is logged and tried again every 5 s.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { serviceNames } from '../certs/defaults.js';
import { SecretStore } from '../certs/stores.js';
import type { LivePolicies } from '../policies/live.js';
import { ServingCert } from './serving-cert.js';
import { WebhookRegistrar } from './webhook-registration.js';
import type { ServeOpts } from './options.js';

export interface SelfInstallDeps {
  opts: Pick<
    ServeOpts,
    'tlsSecret' | 'certManager' | 'webhooks' | 'webhookOwner' | 'webhookHost' | 'service' | 'namespace'
  >;
  api: KubernetesObjectApi;
  live: LivePolicies;
  tlsDir: string;
  ports: { main: number; gate: number | undefined };
  /** How new pods are gated (gate-mechanism.ts): by policy, the gate webhook is not registered. */
  gateBy?: 'policy' | 'webhook';
  clock: () => Date;
  logger: Logger;
}

const RETRY_MS = 5000;
/** How often every replica reads the certificate's Secret again (renewals, cert-manager's rotations). */
const CERT_RESYNC_MS = 60_000;

export class SelfInstall {
  private readonly cert: ServingCert | undefined;
  private readonly registrar: WebhookRegistrar | undefined;
  private bundle: string | undefined;
  private registeredFor: string | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Whether /readyz has passed once: nothing is registered before. */
  private answered = false;

  constructor(private readonly d: SelfInstallDeps) {
    const { opts } = d;
    const host = opts.webhookHost;
    if (opts.tlsSecret !== undefined) {
      const extra =
        host === undefined
          ? { dns: [], ips: [] }
          : isIP(host)
            ? { dns: [], ips: [host] }
            : { dns: [host], ips: [] };
      this.cert = new ServingCert({
        secret: new SecretStore(d.api, opts.namespace, opts.tlsSecret),
        issue: opts.certManager !== true,
        names: {
          dns: [...serviceNames(opts.service ?? 'berth', opts.namespace), ...extra.dns],
          ips: extra.ips,
        },
        dir: d.tlsDir,
        clock: d.clock,
        logger: d.logger.child({ component: 'certs' }),
      });
    }
    if (opts.webhooks !== undefined) {
      const at = (port: number) => `https://${host && isIP(host) === 6 ? `[${host}]` : host}:${port}`;
      this.registrar = new WebhookRegistrar({
        api: d.api,
        file: opts.webhooks,
        owner: opts.webhookOwner,
        namespace: opts.namespace,
        gateBy: d.gateBy ?? 'webhook',
        urls:
          host === undefined ? undefined : { main: at(d.ports.main), gate: at(d.ports.gate ?? d.ports.main) },
        logger: d.logger.child({ component: 'webhooks' }),
      });
    }
  }

  /** Before the servers listen: the pair in --tls-dir (from the Secret, issued if need be). */
  async beforeListen(): Promise<void> {
    if (this.cert) {
      this.bundle = await this.cert.ensure();
      this.cert.start(CERT_RESYNC_MS, (pem) => {
        this.bundle = pem;
        if (this.answered) this.registerSoon();
      });
    } else {
      const ca = join(this.d.tlsDir, 'ca.crt');
      this.bundle = existsSync(ca) ? readFileSync(ca, 'utf8') : undefined;
    }
  }

  /** Registers once `ready()` first holds; again when the mode changes. */
  afterReady(ready: () => boolean): void {
    if (!this.registrar) return;
    const wait = (): void => {
      if (this.stopped) return;
      if (ready()) {
        this.answered = true;
        this.registerSoon();
      } else this.retry = setTimeout(wait, 250).unref();
    };
    wait();
    this.d.live.onReload(() => {
      if (this.registeredFor !== undefined && this.registeredFor !== this.key()) this.registerSoon();
    });
  }

  private key(): string {
    return `${this.d.live.current.provisionerMode} ${this.bundle ?? ''}`;
  }

  private registerSoon(): void {
    const registrar = this.registrar;
    if (!registrar || this.stopped) return;
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    const key = this.key();
    registrar.register(this.bundle, this.d.live.current.provisionerMode).then(
      () => {
        this.registeredFor = key;
      },
      (e: unknown) => {
        this.d.logger.error(
          { component: 'webhooks', err: String(e) },
          'webhooks not registered; trying again in 5 s',
        );
        if (!this.stopped)
          this.retry = setTimeout(() => {
            this.registerSoon();
          }, RETRY_MS).unref();
      },
    );
  }

  /** On SIGTERM, first: nothing is registered or renewed while the replica drains. */
  stop(): void {
    this.stopped = true;
    this.cert?.stop();
    if (this.retry !== undefined) clearTimeout(this.retry);
  }
}

/** Cluster mode's set-up, ready for the servers to listen: the certificate is in the TLS folder. */
export async function selfInstalled(d: SelfInstallDeps): Promise<SelfInstall> {
  const install = new SelfInstall(d);
  await install.beforeListen();
  return install;
}
