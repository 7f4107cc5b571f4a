/** `berth serve`: the webhook (and, in a cluster, the leader's controllers) until SIGTERM. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { DirStore } from '../certs/stores.js';
import { CERT_DEFAULTS, planCerts } from '../certs/rotate.js';
import { LivePolicies } from '../policies/live.js';
import { Metrics } from '../observability/metrics.js';
import { createLogger } from '../observability/logger.js';
import type { Running, ServeOptions } from '../webhook/server.js';
import { tlsFilesIn } from '../webhook/tls.js';
import type { CliIO } from './io.js';
import { startLocal } from './serve-local.js';
import { startCluster } from './serve-cluster.js';
import { SOLVER_HEAP_MIB } from './serve-provisioner.js';
import type { CloudFlags } from './serve-cloud.js';
import { openSession, type Session } from './session.js';
import type { WebhookDeps } from '../webhook/app.js';

export interface ServeOpts extends CloudFlags {
  local?: boolean;
  host?: string;
  port: string;
  metricsPort: string;
  tlsDir: string;
  file?: string[];
  policies?: string;
  nodepools?: string[];
  catalog?: string;
  kubeconfig?: string;
  deadlineMs: string;
  failOpen?: boolean;
  identity?: string;
  namespace: string;
  logLevel: string;
}

/** What both modes of `berth serve` start from. */
export interface ServeStart {
  opts: ServeOpts;
  session: Session;
  live: LivePolicies;
  base: { metrics: Metrics; logger: Logger; deadlineMs: number; failOpen: boolean };
  listen: ServeOptions;
  io: CliIO;
}

function port(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number, got ${v}`);
  return n;
}

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
    if (r.applied) logger.info('policies reloaded');
    else logger.error({ errors: r.errors }, 'policies.yaml refused; the last good policy stays in force');
  });
  return { metrics, logger, deadlineMs, failOpen: opts.failOpen === true } satisfies Partial<WebhookDeps>;
}

async function serve(opts: ServeOpts, io: CliIO): Promise<void> {
  const logger = createLogger(opts.logLevel);
  const session = openSession(opts);
  const live = new LivePolicies(session.policies, opts.policies);
  const metrics = new Metrics();
  const base = depsBase(opts, live, metrics, logger);
  const listen = {
    host: opts.host ?? (opts.local === true ? '127.0.0.1' : '0.0.0.0'),
    port: port('--port', opts.port),
    metricsPort: port('--metrics-port', opts.metricsPort),
    tls: tlsFilesIn(opts.tlsDir),
  };
  const stopWatch = live.watch();
  if (opts.local === true) await ensureLocalCerts(opts.tlsDir, io);
  const started: { running: Running; stop: () => Promise<void> } =
    opts.local === true
      ? await startLocal({ opts, session, live, base, listen, io })
      : await startCluster({ opts, session, live, base, listen, io });
  const { running, stop: stopCluster } = started;
  io.out(
    `berth: serving ${running.url} (/mutate, /validate, /healthz, /readyz); CA: ${join(opts.tlsDir, 'ca.crt')}\n`,
  );
  if (running.metricsUrl !== undefined) io.out(`berth: metrics ${running.metricsUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  logger.info('shutting down');
  stopWatch();
  await stopCluster();
  await running.close();
  io.exit(0);
  // Client keep-alive sockets may hold the loop open; shutdown is done, so leave within 2 s regardless.
  setTimeout(() => process.exit(0), 2000).unref();
}

export function registerServe(program: Command, io: CliIO): void {
  program
    .command('serve')
    .description(
      'serve the admission webhook over HTTPS (/mutate, /validate, /healthz, /readyz) and metrics over HTTP;\n' +
        'in a cluster the Lease holder also runs the profile controller and, with provisioner.mode: berth,\n' +
        'the provisioner (waiting pods and admitted workloads → nodes on --cloud). --local serves from files,\n' +
        'no cluster needed, and provisions on the simulated cloud in memory. Plans are computed on a solver\n' +
        'thread, never on the event loop that answers admission',
    )
    .option('--local', 'no cluster: profiles, PDBs, HPAs and workloads come from -f files')
    .option(
      '-f, --file <path...>',
      'with --local: the objects of the cluster view, admitted as berth check admits them (compiled, with generated PDBs)',
    )
    .option('--host <address>', 'listen address (default 127.0.0.1 with --local, else 0.0.0.0)')
    .option('--port <n>', 'HTTPS port', '8443')
    .option('--metrics-port <n>', 'HTTP port for /metrics', '9090')
    .option(
      '--tls-dir <dir>',
      'folder with tls.crt and tls.key (reloaded when they change)',
      '/etc/berth/tls',
    )
    .option('--policies <file>', 'policies.yaml, reloaded when it changes (default: the embedded one)')
    .option(
      '--nodepools <path...>',
      'NodePool files or folders (default: the cluster in cluster mode, deploy/nodepools with --local)',
    )
    .option('--catalog <file>', 'instance types in the ec2-instance-types.json format (default: built in)')
    .option(
      '--kubeconfig <file>',
      'cluster mode: kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)',
    )
    .option('--namespace <ns>', "cluster mode: Berth's own namespace (its Lease)", 'berth-system')
    .option('--identity <name>', 'cluster mode: Lease holder identity (default: $POD_NAME or the hostname)')
    .option(
      '--deadline-ms <n>',
      "answer within this; keep it below the webhook configurations' timeoutSeconds",
      '4000',
    )
    .option(
      '--fail-open',
      'a review Berth cannot finish in time is allowed (match failurePolicy: Ignore); default denies (Fail)',
    )
    .option(
      '--cloud <provider>',
      'aws or simulated (default: provisioner.cloudProvider in policies.yaml; --local: simulated)',
    )
    .option(
      '--cluster-name <name>',
      'aws: tags instances and finds subnets by karpenter.sh/discovery=<name>',
      process.env.CLUSTER_NAME ?? 'berth',
    )
    .option('--aws-region <region>', "aws: region (default: $AWS_REGION, else the catalog's)")
    .option('--aws-endpoint <url>', 'aws: EC2 endpoint (e.g. a moto_server for tests)')
    .option('--aws-image-id <ami>', 'aws: AMI for launch templates Berth creates when one is missing')
    .option(
      '--node-join-timeout <seconds>',
      'an instance whose Node has not joined after this is terminated',
      '900',
    )
    .option(
      '--solver-heap-mb <n>',
      "the provisioner's solver thread: its heap limit (a round past it fails alone; admission goes on)",
      String(SOLVER_HEAP_MIB),
    )
    .option('--log-level <level>', 'pino log level', 'info')
    .action((opts: ServeOpts) => serve(opts, io));
}
