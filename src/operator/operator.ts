/**
 * The operator `berth serve` runs: the admission webhook on every replica and, in a cluster, the leader
 * duties on the Lease holder, until SIGTERM. Composition roots: startCluster (cluster.ts: caches, the
 * Lease, and every leader duty in the order they start) and startLocal (local.ts: files and the
 * simulated cloud in memory). Duties live in duties/ (and profiles/ for the profile controller), each
 * handed what it needs; the CLI only parses flags into ServeOpts (options.ts) and calls runOperator.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DirStore } from '../certs/stores.js';
import { planCerts } from '../certs/rotate.js';
import { CERT_DEFAULTS } from '../certs/defaults.js';
import { LivePolicies } from '../policies/live.js';
import { Metrics } from '../observability/metrics.js';
import { createLogger, parseLogFormat } from '../observability/logger.js';
import { tlsFilesIn } from '../webhook/tls.js';
import type { CliIO } from '../util/io.js';
import { openSession } from '../inputs/session.js';
import { borrowedPrices } from '../catalog/regional.js';
import { checkClusterFlags, port, seconds, tlsDirOf, type ServeOpts, type Started } from './options.js';
import type { WebhookDeps } from '../webhook/app.js';

/** Local mode makes its own certificates on first use, for 127.0.0.1 and localhost. */
async function ensureLocalCerts(dir: string, io: CliIO): Promise<void> {
  if (existsSync(join(dir, 'tls.crt')) && existsSync(join(dir, 'tls.key'))) return;
  const store = new DirStore(dir);
  const plan = planCerts(await store.load(), {
    dns: ['localhost'],
    ips: ['127.0.0.1'],
    now: io.clock(),
    ...CERT_DEFAULTS,
  });
  await store.save(plan.files);
  io.err(`berth: no certificate in ${dir}; created one for localhost and 127.0.0.1\n`);
}

function depsBase(opts: ServeOpts, live: LivePolicies, metrics: Metrics, logger: Logger) {
  const deadlineMs = Number(opts.deadlineMs);
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0)
    throw new Error(`--deadline-ms must be positive, got ${opts.deadlineMs}`);
  live.onReload((r) => {
    metrics.policyReloads.inc({ result: r.applied ? 'applied' : 'refused' });
    metrics.policyRefused.set(r.applied ? 0 : 1);
    if (r.applied) logger.info(r.warnings.length > 0 ? { warnings: r.warnings } : {}, 'policies reloaded');
    else logger.error({ errors: r.errors }, 'policies.yaml refused; the last good policy stays in force');
  });
  return { metrics, logger, deadlineMs, failOpen: opts.failOpen === true } satisfies Partial<WebhookDeps>;
}

export async function runOperator(opts: ServeOpts, io: CliIO): Promise<void> {
  const logger = createLogger(opts.logLevel, 1, parseLogFormat(opts.logFormat));
  const tlsDir = tlsDirOf(opts);
  // The cloud's region (--aws-region) is the catalog's: its zones, and its prices when --prices is given.
  const session = openSession({
    ...opts,
    ...(opts.awsRegion !== undefined ? { region: opts.awsRegion } : {}),
  });
  const live = new LivePolicies(session.policies, opts.policies);
  const borrowed = borrowedPrices(session.catalog);
  if (borrowed !== undefined)
    logger.warn(
      { region: session.catalog.region, pricesFrom: borrowed },
      "on-demand prices are another region's: pass --prices with this region's price list",
    );
  const metrics = new Metrics();
  const base = depsBase(opts, live, metrics, logger);
  const listen = {
    host: opts.host ?? (opts.local === true ? '127.0.0.1' : '0.0.0.0'),
    port: port('--port', opts.port),
    metricsPort: port('--metrics-port', opts.metricsPort),
    gatePort: opts.gatePort === undefined ? undefined : port('--gate-port', opts.gatePort),
    tls: tlsFilesIn(tlsDir),
    http2: opts.http2 !== false,
  };
  if (opts.local === true && listen.gatePort !== undefined)
    throw new Error('--gate-port is for cluster mode: with --local no pod is gated');
  checkClusterFlags(opts);
  const stopWatch = live.watch();
  if (opts.local === true) await ensureLocalCerts(tlsDir, io);
  const shutdownDelayS = seconds('--shutdown-delay', opts.shutdownDelay ?? '0', 0);
  const started: Started =
    opts.local === true
      ? await (await import('./local.js')).startLocal({ opts, session, live, base, listen, io })
      : await (await import('./cluster.js')).startCluster({ opts, session, live, base, listen, io });
  const { running, stop: stopCluster } = started;
  io.out(
    `berth: serving ${running.url} (/mutate, /validate, /gate, /healthz, /readyz); CA: ${join(tlsDir, 'ca.crt')}\n`,
  );
  if (running.gateUrl !== undefined) io.out(`berth: scheduling gate ${running.gateUrl}/gate\n`);
  if (running.metricsUrl !== undefined) io.out(`berth: metrics ${running.metricsUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // Kubernetes removes a terminating pod's endpoint while it sends SIGTERM: for --shutdown-delay the
  // replica fails /readyz, closes each connection after its answer and goes on answering, so no
  // review the API server sends it meanwhile fails (docs/operations/high-availability.md).
  running.drain();
  await started.drain?.();
  logger.info({ shutdownDelaySeconds: shutdownDelayS }, 'shutting down: draining');
  if (shutdownDelayS > 0) await new Promise((r) => setTimeout(r, shutdownDelayS * 1000));
  logger.info('shutting down');
  stopWatch();
  await stopCluster();
  await running.close();
  io.exit(0);
  // Client keep-alive sockets may hold the loop open; shutdown is done, so leave within 2 s regardless.
  setTimeout(() => process.exit(0), 2000).unref();
}
