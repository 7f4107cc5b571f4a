/** The e2e tier's tools: kubectl as a user runs it, `berth serve` processes, waiting. */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { freePort, spawnLogged } from './control-plane.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectlWith(kubeconfig: string) {
  return (args: string[], input?: string): Run => {
    const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      input,
      encoding: 'utf8',
      timeout: 60_000,
      // A 1,000-pod namespace's Events are over spawnSync's 1 MiB default.
      maxBuffer: 256 * 1024 * 1024,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
}

/** `berth certs` into `<dir>/tls` for a webhook on loopback; returns the folder. */
/**
 * Runs one of test/e2e's install scripts (build-control-plane.sh, install-kwok.sh, …): it builds or
 * finds its tool in the cache and prints where it is.
 */
export function installed(script: string): string {
  return execFileSync('bash', [`test/e2e/${script}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** The minor version of Kubernetes the e2e control plane is built at (test/e2e/kube, or BERTH_E2E_KUBE's). */
export function e2eKubeMinor(): number {
  const mod = readFileSync(`test/e2e/${process.env.BERTH_E2E_KUBE ?? 'kube'}/go.mod`, 'utf8');
  return Number(/k8s\.io\/kubernetes v1\.(\d+)\./.exec(mod)?.[1] ?? 0);
}

export function loopbackCerts(dir: string): string {
  const tls = join(dir, 'tls');
  execFileSync(process.execPath, [
    'dist/src/cli/main.js',
    'certs',
    '--out',
    tls,
    '--dns',
    'localhost',
    '--ip',
    '127.0.0.1',
  ]);
  return tls;
}

interface ClientConfig {
  service?: { path?: string };
  url?: string;
  caBundle?: string;
}

/** Where a webhook at `path` goes: the scheduling gate to its own server, the others to the main one. */
const urlFor = (to: Pick<Berth, 'url' | 'gateUrl'>, path: string): string =>
  `${path === '/gate' ? to.gateUrl : to.url}${path}`;

/**
 * Points every webhook of Berth's two configurations at Berth's servers (clientConfig.url with the
 * CA bundle), each at the path its Service reference names (/mutate, /validate; /gate on the gate's
 * own port, as deploy/ has it): registered as deploy/berth/webhooks.yaml declares them, as a replica
 * registers them (`berth serve --webhooks`), whether or not they exist yet.
 */
export function routeWebhooks(
  kubectl: ReturnType<typeof kubectlWith>,
  to: Pick<Berth, 'url' | 'gateUrl'>,
  caBundle: string,
): Run[] {
  return [registerWebhooks(kubectl, to, caBundle), hostReplicaEndpoints(kubectl)];
}

/** Whether the control plane serves MutatingAdmissionPolicy v1 (1.36+): deploy/gate-policy applies there. */
export function servesGatePolicy(kubectl: ReturnType<typeof kubectlWith>): boolean {
  const r = kubectl(['get', '--raw', '/apis/admissionregistration.k8s.io/v1']);
  return r.code === 0 && r.stdout.includes('"mutatingadmissionpolicies"');
}

/** Whether Berth (--scheduling-gate auto) gates by policy: served, and deploy/gate-policy installed. */
export function gatesByPolicy(kubectl: ReturnType<typeof kubectlWith>): boolean {
  return (
    servesGatePolicy(kubectl) &&
    kubectl(['get', 'mutatingadmissionpolicy', 'berth-scheduling-gate']).code === 0
  );
}

/**
 * Berth on the host as a ready endpoint of its Service (berth-system/berth), as the EndpointSlice
 * controller lists a ready replica's pod: the scheduling gate's MutatingAdmissionPolicy gates pods
 * only while its Service has one (admission/gate-policy.ts). Managed by the test, not by the controller.
 */
export function hostReplicaEndpoints(kubectl: ReturnType<typeof kubectlWith>): Run {
  return kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'berth-host',
        namespace: 'berth-system',
        labels: {
          'kubernetes.io/service-name': 'berth',
          'endpointslice.kubernetes.io/managed-by': 'e2e.berth.dev',
        },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'https', port: 8443, protocol: 'TCP' }],
    }),
  );
}

/**
 * Registers Berth's webhook configurations as deploy/berth/webhooks.yaml declares them (only the
 * kinds named), each webhook pointed at Berth's server for the path its Service reference names.
 */
export function registerWebhooks(
  kubectl: ReturnType<typeof kubectlWith>,
  to: Pick<Berth, 'url' | 'gateUrl'>,
  caBundle: string,
  kinds: readonly string[] = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
  // As a replica registers them: no gate webhook where the API server gates (--scheduling-gate auto).
  o: { gate?: boolean } = {},
): Run {
  const gate = o.gate ?? !gatesByPolicy(kubectl);
  type Config = { kind: string; webhooks: { clientConfig: ClientConfig }[] };
  const docs = parseAllDocuments(readFileSync('deploy/berth/webhooks.yaml', 'utf8')).map(
    (d) => d.toJS() as Config,
  );
  const chosen = docs.filter((d) => kinds.includes(d.kind));
  for (const d of chosen) {
    if (!gate) d.webhooks = d.webhooks.filter((h) => h.clientConfig.service?.path !== '/gate');
    for (const h of d.webhooks)
      h.clientConfig = { url: urlFor(to, h.clientConfig.service?.path ?? ''), caBundle };
  }
  return kubectl(['apply', '-f', '-'], chosen.map((d) => JSON.stringify(d)).join('\n'));
}

/** A field of Berth's Lease (berth-system/berth-leader) by JSONPath; undefined when kubectl fails. */
export function leaseField(kubectl: ReturnType<typeof kubectlWith>, jsonPath: string): string | undefined {
  const r = kubectl(['get', 'lease', 'berth-leader', '-n', 'berth-system', '-o', `jsonpath={${jsonPath}}`]);
  return r.code === 0 ? r.stdout : undefined;
}

/**
 * Waits until the leader announces on its Lease that new pods are gated (`on`: by the gate webhook,
 * or `policy`: by the API server's MutatingAdmissionPolicy) or not (`off`).
 */
export async function gatesAnnounced(
  kubectl: ReturnType<typeof kubectlWith>,
  want: 'on' | 'off',
): Promise<string> {
  return eventually(
    `the Lease announcing scheduling gates ${want}`,
    () => {
      const v = leaseField(kubectl, '.metadata.annotations.berth\\.dev/scheduling-gates');
      return v !== undefined && (want === 'off' ? v === 'off' : v === 'on' || v === 'policy') ? v : undefined;
    },
    60_000,
  );
}

/** The policies.yaml Berth's ConfigMap (berth-system/berth-policies) carries in the cluster. */
export function installedPolicies(kubectl: ReturnType<typeof kubectlWith>): Run {
  return kubectl([
    'get',
    'configmap',
    'berth-policies',
    '-n',
    'berth-system',
    '-o',
    'jsonpath={.data.policies\\.yaml}',
  ]);
}

export async function eventually<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000}s waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

export interface Berth {
  identity: string;
  url: string;
  /** The scheduling gate's own server (--gate-port), where deploy/ points gate.berth.dev. */
  gateUrl: string;
  metrics: string;
  log: string;
  proc: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface BerthOptions {
  identity: string;
  kubeconfig: string;
  tlsDir: string;
  policies: string;
  port: number;
  metricsPort: number;
  /** --gate-port (default: a free port). */
  gatePort?: number;
  dir: string;
  /** More `berth serve` flags (e.g. the cloud) and environment. */
  args?: string[];
  env?: Record<string, string>;
  /** Node's own flags for the process (those NODE_OPTIONS refuses, such as --cpu-prof). */
  nodeArgs?: string[];
}

function ready(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(url, { ca, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

export async function startBerth(o: BerthOptions): Promise<Berth> {
  const log = join(o.dir, `berth-${o.identity}.log`);
  const gatePort = o.gatePort ?? (await freePort());
  // Appended: a replica started again after a kill keeps its earlier log.
  const proc = spawnLogged(
    process.execPath,
    [
      ...(o.nodeArgs ?? []),
      'dist/src/cli/main.js',
      'serve',
      '--kubeconfig',
      o.kubeconfig,
      '--tls-dir',
      o.tlsDir,
      '--policies',
      o.policies,
      '--host',
      '127.0.0.1',
      '--port',
      String(o.port),
      '--metrics-port',
      String(o.metricsPort),
      '--gate-port',
      String(gatePort),
      '--identity',
      o.identity,
      '--namespace',
      'berth-system',
      ...(o.args ?? []),
    ],
    log,
    { append: true, env: { ...process.env, ...(o.env ?? {}) } },
  );
  const url = `https://127.0.0.1:${o.port}`;
  const ca = join(o.tlsDir, 'ca.crt');
  // With --tls-secret the replica writes ca.crt itself once it has its certificate.
  const caPem = (): string => (existsSync(ca) ? readFileSync(ca, 'utf8') : '');
  const until = Date.now() + 60_000;
  while (!(await ready(`${url}/readyz`, caPem()))) {
    if (proc.exitCode !== null) throw new Error(`berth ${o.identity} exited ${proc.exitCode}; see ${log}`);
    if (Date.now() > until) throw new Error(`berth ${o.identity} not ready within 60s; see ${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    identity: o.identity,
    url,
    gateUrl: `https://127.0.0.1:${gatePort}`,
    metrics: `http://127.0.0.1:${o.metricsPort}/metrics`,
    log,
    proc,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => stopProcess(proc, signal),
  };
}

/** Signals a process and resolves once it has exited; SIGKILL after 10 s. */
export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      resolve();
      return;
    }
    const force = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    proc.kill(signal);
  });
}
