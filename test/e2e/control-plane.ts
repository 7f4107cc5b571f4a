/**
 * A real Kubernetes control plane on loopback for the e2e tier: etcd, kube-apiserver,
 * kube-controller-manager (node lifecycle controller off: no kubelets) and kube-scheduler, with
 * certificates and an admin token of its own, and a kubeconfig for kubectl and Berth.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ControlPlane {
  dir: string;
  kubeconfig: string;
  server: string;
  /** The admin user's bearer token (kubeconfig's), e.g. to read the API server's /metrics. */
  token: string;
  /** A kubeconfig per extra user (ControlPlaneOptions.users), each cluster-admin under its own name. */
  kubeconfigs: Readonly<Record<string, string>>;
  /** The audit log (JSON lines, level Metadata) of the extra users' requests, with ControlPlaneOptions.audit. */
  auditLog?: string;
  /**
   * Stops kube-apiserver (SIGTERM: its graceful shutdown; SIGKILL: a crash) and starts it again on the
   * same port and etcd; resolves once it answers /readyz. Every client's watches are cut meanwhile.
   */
  restartApiServer(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

/** kube-scheduler's NodeResourcesFit scoring strategies the bench can ask for. */
export type SchedulerScoring = 'LeastAllocated' | 'MostAllocated';

export interface ControlPlaneOptions {
  /** Users besides admin, each with a token of its own in system:masters (e.g. one per controller). */
  users?: readonly string[];
  /**
   * Write every request of those users to an audit log (so that they can be counted per user), and
   * every Pod creation and Binding, whoever makes it (when pods were created and bound, as the API
   * server saw it, and what each creation's time went to).
   */
  audit?: boolean;
  /**
   * Client QPS of kube-controller-manager and kube-scheduler (burst twice that); their defaults are
   * 20 and 50. At 20 the ReplicaSet controller creates pods at 20 a second, so 1,000 replicas take
   * 50 s whatever provisions their nodes; Kubernetes' scalability jobs raise it to 100.
   */
  clientQps?: number;
  /**
   * kube-scheduler's NodeResourcesFit scoring: its default, LeastAllocated (a pod goes to the emptiest
   * node that fits it), or MostAllocated (the fullest: bin packing, as clusters that pack set it).
   */
  schedulerScoring?: SchedulerScoring;
  /**
   * kube-scheduler's percentageOfNodesToScore: it stops filtering once it has found this share of the
   * nodes feasible (never fewer than 100). Unset, its adaptive default (50% less 1% per 125 nodes).
   */
  nodesToScore?: number;
  /** kube-scheduler's PodTopologySpread defaultConstraints (defaultingType List). */
  defaultSpread?: readonly object[];
}

/**
 * A KubeSchedulerConfiguration for `--config`, which then replaces the scheduler's --kubeconfig and
 * --kube-api-qps flags: the same client settings, and the scoring strategy and share of nodes to
 * score given (kube-scheduler's defaults for those not given).
 */
export function schedulerConfig(
  kubeconfig: string,
  o: {
    scoring?: SchedulerScoring;
    qps?: number | undefined;
    nodesToScore?: number;
    defaultSpread?: readonly object[];
  },
): string {
  const fit = {
    name: 'NodeResourcesFit',
    args: {
      scoringStrategy: {
        type: o.scoring,
        resources: [
          { name: 'cpu', weight: 1 },
          { name: 'memory', weight: 1 },
        ],
      },
    },
  };
  const spread = o.defaultSpread && {
    name: 'PodTopologySpread',
    args: { defaultingType: 'List', defaultConstraints: o.defaultSpread },
  };
  const pluginConfig = [...(o.scoring === undefined ? [] : [fit]), ...(spread ? [spread] : [])];
  return JSON.stringify({
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    clientConnection: { kubeconfig, ...(o.qps === undefined ? {} : { qps: o.qps, burst: 2 * o.qps }) },
    leaderElection: { leaderElect: false },
    ...(o.nodesToScore === undefined ? {} : { percentageOfNodesToScore: o.nodesToScore }),
    profiles: [{ schedulerName: 'default-scheduler', ...(pluginConfig.length > 0 ? { pluginConfig } : {}) }],
  });
}

/**
 * Audit policy, at level Metadata once complete: the extra users' requests, and every Pod creation
 * (its event carries the API server's per-layer latencies, the webhooks' among them, when it took
 * over 500 ms) and Binding (kube-scheduler placing a pod); nothing else.
 */
function auditPolicy(users: readonly string[]): string {
  return JSON.stringify({
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived', 'ResponseStarted'],
    rules: [
      { level: 'Metadata', users },
      {
        level: 'Metadata',
        verbs: ['create'],
        resources: [{ group: '', resources: ['pods', 'pods/binding'] }],
      },
      { level: 'None' },
    ],
  });
}

const qpsFlags = (qps: number | undefined): string[] =>
  qps === undefined ? [] : [`--kube-api-qps=${qps}`, `--kube-api-burst=${2 * qps}`];

/**
 * The controllers kube-controller-manager runs: all but node lifecycle (no kubelets here) and, before
 * 1.37 (which dropped them from kube-controller-manager), the cloud provider's.
 */
function controllersFlag(bin: string): string {
  const version = execFileSync(join(bin, 'kube-controller-manager'), ['--version'], { encoding: 'utf8' });
  const minor = Number(/v1\.(\d+)\./.exec(version)?.[1] ?? 0);
  const cloud =
    minor >= 37
      ? []
      : ['-service-lb-controller', '-node-route-controller', '-cloud-node-lifecycle-controller'];
  return `--controllers=${['*', '-node-lifecycle-controller', ...cloud].join(',')}`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * Starts a process writing its stdout and stderr straight into `log` (the file, not a pipe through
 * this process): a test's spawnSync (helm install --wait, for minutes) blocks this event loop, and a
 * pipe nobody drains fills up and stops the process at its next log line — kube-controller-manager
 * stalled so, its ReplicaSets never counting their pods Ready.
 */
export function spawnLogged(
  bin: string,
  args: readonly string[],
  log: string,
  o: { append?: boolean; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  const fd = openSync(log, o.append === true ? 'a' : 'w');
  try {
    return spawn(bin, args, { stdio: ['ignore', fd, fd], ...(o.env ? { env: o.env } : {}) });
  } finally {
    closeSync(fd);
  }
}

function start(bin: string, args: string[], log: string, procs: ChildProcess[]): ChildProcess {
  const p = spawnLogged(bin, args, log);
  procs.push(p);
  return p;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    // A check may throw synchronously (execFileSync) or reject: either means not yet.
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

/**
 * A ReplicaSet created just as kube-controller-manager starts can miss its own pods' events and wait
 * out its expectations (5 minutes): a Deployment applied then never becomes Ready in time. The cluster
 * is usable once a probe Deployment's pod is counted in its status (its pod never schedules), which
 * the deployment and replicaset controllers report only from their watches.
 */
async function controllersObserving(kubeconfig: string): Promise<void> {
  const kubectl = (args: string[], input?: string) =>
    execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      ...(input === undefined ? { stdio: ['ignore', 'pipe', 'ignore'] } : { input }),
    });
  const probe = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: default }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      schedulerName: e2e-not-scheduled
      containers: [{ name: probe, image: e2e.invalid/probe:1 }]
`;
  // A probe that itself started too early is replaced by a new one (new expectations) after 15 s.
  for (let attempt = 1; attempt <= 6; attempt++) {
    const name = `e2e-controllers-probe-${attempt}`;
    kubectl(['apply', '-f', '-'], probe(name));
    const counted = await waitFor(
      'kube-controller-manager watching pods',
      () =>
        Promise.resolve(
          kubectl(['get', 'deployment', name, '-o', 'jsonpath={.status.replicas}']).trim() === '1',
        ),
      15_000,
    ).then(
      () => true,
      () => false,
    );
    // Gone with its pod before any test looks: nothing else sees a pending probe pod.
    try {
      kubectl(['delete', 'deployment', name, '--cascade=foreground', '--wait=true', '--timeout=60s']);
    } catch {
      // Still being deleted: it goes on in the background.
    }
    if (counted) return;
  }
  throw new Error("kube-controller-manager never counted a probe Deployment's pod (6 tries, 15 s each)");
}

export function kubeconfigFor(server: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: e2e\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
    'users:',
    `- name: admin\n  user:\n    token: ${token}`,
    'contexts:',
    '- name: e2e\n  context:\n    cluster: e2e\n    user: admin\n    namespace: default',
    'current-context: e2e',
    '',
  ].join('\n');
}

export async function startControlPlane(
  bin: string,
  dir: string,
  options: ControlPlaneOptions = {},
): Promise<ControlPlane> {
  mkdirSync(dir, { recursive: true });
  const procs: ChildProcess[] = [];
  const token = randomBytes(16).toString('hex');
  const users = options.users ?? [];
  const tokens = new Map(users.map((u) => [u, randomBytes(16).toString('hex')]));
  writeFileSync(
    join(dir, 'tokens.csv'),
    [`${token},admin,admin,system:masters`, ...users.map((u) => `${tokens.get(u)},${u},${u},system:masters`)]
      .map((l) => `${l}\n`)
      .join(''),
  );
  const auditLog = options.audit ? join(dir, 'audit.log') : undefined;
  if (auditLog) writeFileSync(join(dir, 'audit-policy.json'), auditPolicy(users));
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs1', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  start(
    join(bin, 'etcd'),
    [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    join(dir, 'etcd.log'),
    procs,
  );
  await waitFor('etcd', async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, 30_000);
  const server = `https://127.0.0.1:${apiPort}`;
  const apiServerArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // Since 1.37 the endpoint reconciler refuses a loopback address, and nothing here reaches the API
    // server through the default/kubernetes Service: it keeps no Endpoints.
    '--endpoint-reconciler-type=none',
    `--secure-port=${apiPort}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
    '--enable-priority-and-fairness=false',
    // Its not-ready taint on every new Node is lifted by the node lifecycle controller, which is off
    // here (no kubelets): without this, no pod could ever land on the simulated or stand-in nodes.
    '--disable-admission-plugins=TaintNodesByCondition',
    ...(auditLog
      ? [
          `--audit-policy-file=${join(dir, 'audit-policy.json')}`,
          `--audit-log-path=${auditLog}`,
          '--audit-log-maxsize=0',
        ]
      : []),
  ];
  let apiServer = start(join(bin, 'kube-apiserver'), apiServerArgs, join(dir, 'kube-apiserver.log'), procs);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(server, token));
  const apiServerReady = () =>
    waitFor(
      'kube-apiserver',
      () => {
        execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', '/readyz'], { stdio: 'ignore' });
        return Promise.resolve(true);
      },
      120_000,
    );
  await apiServerReady();
  start(
    join(bin, 'kube-controller-manager'),
    [
      `--kubeconfig=${kubeconfig}`,
      controllersFlag(bin),
      `--service-account-private-key-file=${join(dir, 'sa.key')}`,
      '--use-service-account-credentials=false',
      '--leader-elect=false',
      ...qpsFlags(options.clientQps),
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
    ],
    join(dir, 'kube-controller-manager.log'),
    procs,
  );
  const { schedulerScoring: scoring, nodesToScore, defaultSpread } = options;
  const configured = scoring !== undefined || nodesToScore !== undefined || defaultSpread !== undefined;
  if (configured)
    writeFileSync(
      join(dir, 'scheduler.json'),
      schedulerConfig(kubeconfig, {
        qps: options.clientQps,
        ...(scoring === undefined ? {} : { scoring }),
        ...(nodesToScore === undefined ? {} : { nodesToScore }),
        ...(defaultSpread === undefined ? {} : { defaultSpread }),
      }),
    );
  start(
    join(bin, 'kube-scheduler'),
    [
      ...(configured
        ? [`--config=${join(dir, 'scheduler.json')}`]
        : [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', ...qpsFlags(options.clientQps)]),
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
    ],
    join(dir, 'kube-scheduler.log'),
    procs,
  );
  // The default ServiceAccount appears once the controller manager runs: the cluster is usable.
  await waitFor(
    'kube-controller-manager',
    () => {
      execFileSync(
        'kubectl',
        ['--kubeconfig', kubeconfig, 'get', 'serviceaccount', 'default', '-n', 'default'],
        { stdio: 'ignore' },
      );
      return Promise.resolve(true);
    },
    60_000,
  );
  await controllersObserving(kubeconfig);
  const kubeconfigs: Record<string, string> = {};
  for (const [user, t] of tokens) {
    const file = join(dir, `kubeconfig-${user}`);
    writeFileSync(file, kubeconfigFor(server, t));
    kubeconfigs[user] = file;
  }
  return {
    dir,
    kubeconfig,
    server,
    token,
    kubeconfigs,
    ...(auditLog ? { auditLog } : {}),
    restartApiServer: async (signal: NodeJS.Signals = 'SIGTERM') => {
      const old = apiServer;
      await new Promise<void>((resolve) => {
        if (old.exitCode !== null) resolve();
        else {
          old.once('exit', () => resolve());
          old.kill(signal);
        }
      });
      apiServer = start(
        join(bin, 'kube-apiserver'),
        apiServerArgs,
        join(dir, `kube-apiserver-${String(Date.now())}.log`),
        procs,
      );
      procs.splice(procs.indexOf(old), 1);
      await apiServerReady();
    },
    stop: async () => {
      for (const p of procs.reverse()) p.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
      // etcd's data (its WAL alone preallocates 64 MB a segment) is of no use once it is stopped;
      // the logs stay for a failure's reading.
      rmSync(join(dir, 'etcd'), { recursive: true, force: true });
    },
  };
}
