/**
 * The two provisioners of `npm run bench:cluster`, each started on its own fresh control plane with
 * kwok (sigs.k8s.io/kwok) running their Nodes' pods:
 * - berth: `berth serve --cloud kwok` with the repository's policies.yaml (provisioner.mode berth;
 *   scheduling gates on unless --no-scheduling-gates), its mutating webhooks (the scheduling gate
 *   among them) and its NodePool over an EC2NodeClass;
 * - karpenter: Karpenter's own controller with its kwok provider (v1.15.0, built by
 *   test/e2e/install-karpenter-kwok.sh), a KWOKNodeClass and an instance-types file made from
 *   Berth's catalog;
 * - karpenter-noop: the same, with a no-op admission webhook (bench/noop-webhook.ts, a process of its
 *   own) registered as Berth's mutating webhooks are on the berth side (the same configuration: the
 *   scheduling gate's resources, match conditions, timeout and failure policy): what any webhook on
 *   the pod-creation path costs a burst on this machine;
 * - karpenter-noop-patch: the same, its gate answering with a patch of the size of Berth's (a label):
 *   what applying a mutating webhook's patch adds to each creation.
 * Both authenticate as the user `controller`, whose requests the API server's audit log counts, and
 * wait the same registration delay between a launch and its Node.
 */
import { spawn } from 'node:child_process';
import { deployedNodeOptions } from '../deployed.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import type { NodePool } from '../../src/scheduling/nodepool.js';
import { freePort, spawnLogged, type ControlPlane } from '../../test/e2e/control-plane.js';
import {
  gatesAnnounced,
  hostReplicaEndpoints,
  kubectlWith,
  loopbackCerts,
  registerWebhooks,
  servesGatePolicy,
  startBerth,
  stopProcess,
} from '../../test/e2e/harness.js';
import { berthPerfPool, karpenterPerfPool } from '../../test/support/perf-workloads.js';
import { kwokInstanceTypes } from './instance-types.js';

export type SideName =
  'berth' | 'karpenter' | 'karpenter-noop' | 'karpenter-noop-patch' | 'ready' | 'ideal' | 'ideal-gated';

export interface Side {
  name: SideName;
  /** The controller's process, whose CPU and memory the steps sample (none on the ready side). */
  pid: number | undefined;
  pool: object;
  /** A scheduling gate the harness puts in the Deployments' template (the gated ideal side). */
  gate?: string | undefined;
  /** The webhook's metrics page (Berth's, or the no-op webhook's): review times and connections for the trace. */
  metrics?: string | undefined;
  /** Told of each scale-out's apply and when it began (the ideal side's clock starts there). */
  applied?: (start: number) => void;
  stop(): Promise<void>;
}

type Kubectl = ReturnType<typeof kubectlWith>;

function must(r: { code: number; stderr: string }, what: string): void {
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr.trim()}`);
}

function applyCrds(kubectl: Kubectl, args: string[]): void {
  must(kubectl(['apply', '--server-side', ...args]), `applying CRDs ${args.join(' ')}`);
  must(
    kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']),
    'waiting for the CRDs',
  );
}

export interface BerthSideOptions {
  /** Registration delay, seconds. */
  delay: number;
  logLevel?: string;
  /** berth serve's heap limit in place of the Deployment's. */
  heapMb?: number;
  /** provisioner.schedulingGates (on, as shipped). */
  gates: boolean;
  /** Write a V8 CPU profile of berth serve into `dir` (node --cpu-prof). */
  cpuProf?: boolean;
  /** The NodePool's consolidationPolicy, when the workload sets one. */
  policy?: 'Balanced' | undefined;
  /** berth serve --no-http2: the webhooks over HTTP/1.1 only. */
  http1?: boolean;
  /** berth serve --main-nice, in place of its default. */
  mainNice?: string | undefined;
  /** berth serve --scheduling-gate (auto: the MutatingAdmissionPolicy on 1.36+). */
  gateBy?: 'auto' | 'policy' | 'webhook';
}

/**
 * What Berth finds in the cluster before it starts: its CRDs and Karpenter's, berth-system, the
 * repository's policies.yaml (scheduling gates on or off) in `dir`, and the bench's NodePool (or
 * `pool`).
 */
export function prepareBerthCluster(
  cp: ControlPlane,
  dir: string,
  o: Pick<BerthSideOptions, 'gates' | 'policy'> & { pool?: object },
): { policies: string; pool: object } {
  const kubectl = kubectlWith(cp.kubeconfig);
  applyCrds(kubectl, ['-k', 'deploy/crds']);
  applyCrds(kubectl, ['-k', 'deploy/karpenter-crds']);
  applyCrds(kubectl, ['-k', 'deploy/report-crds']);
  must(kubectl(['create', 'namespace', 'berth-system']), 'creating berth-system');
  // On 1.36+ the scheduling gate's MutatingAdmissionPolicy, as the install brings it.
  if (servesGatePolicy(kubectl))
    must(kubectl(['apply', '-k', 'deploy/gate-policy']), 'applying the gate policy');
  const policies = join(dir, 'policies.yaml');
  const shipped = readFileSync('policies.yaml', 'utf8');
  const gatesOff = shipped.replace(/^( {2}schedulingGates:) true/m, '$1 false');
  if (!o.gates && gatesOff === shipped) throw new Error('policies.yaml has no provisioner.schedulingGates');
  writeFileSync(policies, o.gates ? shipped : gatesOff);
  const pool = o.pool ?? berthPerfPool(o.policy);
  must(kubectl(['apply', '-f', '-'], JSON.stringify(pool)), 'applying the NodePool');
  return { policies, pool };
}

export async function startBerthSide(cp: ControlPlane, dir: string, o: BerthSideOptions): Promise<Side> {
  const { delay, logLevel = 'warn', heapMb } = o;
  const kubectl = kubectlWith(cp.kubeconfig);
  const { policies, pool } = prepareBerthCluster(cp, dir, o);
  const kubeconfig = cp.kubeconfigs.controller;
  if (!kubeconfig) throw new Error('the control plane has no user controller');
  const berth = await startBerth({
    kubeconfig,
    tlsDir: loopbackCerts(dir),
    policies,
    dir,
    identity: 'berth-bench',
    port: await freePort(),
    metricsPort: await freePort(),
    args: [
      ...['--cloud', 'kwok', '--kwok-registration-delay', String(delay), '--log-level', logLevel],
      // Every process of the bench shares one cgroup, so the solver thread's default nice (10) would
      // weigh against the control plane and kwok, not only against Berth's admission thread as in its
      // pod; Karpenter's controller runs at 0 here too.
      ...['--solver-nice', '0'],
      ...(o.mainNice === undefined ? [] : ['--main-nice', o.mainNice]),
      ...(o.http1 === true ? ['--no-http2'] : []),
      ...['--scheduling-gate', o.gateBy ?? 'auto'],
    ],
    // As the berth container runs (its heap limit decides when V8 collects, and so the RSS measured).
    // --heap replaces its heap limit (the ×10 form's caches outgrow the Deployment's).
    env: {
      NODE_OPTIONS: [
        ...deployedNodeOptions().filter((o) => heapMb === undefined || !o.startsWith('--max-old-space-size')),
        ...(heapMb === undefined ? [] : [`--max-old-space-size=${heapMb}`]),
      ].join(' '),
    },
    ...(o.cpuProf === true ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] } : {}),
  });
  // Berth's mutating webhooks as deploy/berth registers them, the scheduling gate among them. Its
  // validating webhook is left out: the suite's workloads are measured as Karpenter's are, unjudged.
  const ca = readFileSync(join(dir, 'tls', 'ca.crt')).toString('base64');
  const gate = o.gateBy === 'webhook' ? { gate: true } : o.gateBy === 'policy' ? { gate: false } : {};
  must(registerWebhooks(kubectl, berth, ca, ['MutatingWebhookConfiguration'], gate), 'registering webhooks');
  // Berth as a ready endpoint of its Service: the policy gate gates only while a replica is ready.
  must(hostReplicaEndpoints(kubectl), 'listing the host replica');
  // The leader announces on its Lease whether new pods are gated; the workloads come after that.
  await gatesAnnounced(kubectl, o.gates ? 'on' : 'off');
  const pid = berth.proc.pid;
  if (pid === undefined) throw new Error('berth serve has no pid');
  return { name: 'berth', pid, pool, metrics: berth.metrics, stop: () => berth.stop() };
}

/**
 * The no-op webhook in a process of its own, registered as the berth side registers Berth's mutating
 * webhooks (deploy/berth/webhooks.yaml's MutatingWebhookConfiguration, every path pointed at it).
 */
async function startNoopSide(
  kubectl: Kubectl,
  dir: string,
  patch: boolean,
): Promise<{ metrics: string; stop: () => Promise<void> }> {
  const tls = loopbackCerts(dir);
  const proc = spawn(process.execPath, ['dist/bench/noop-webhook.js', tls, ...(patch ? ['--patch'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const line = out.split('\n')[0] ?? '';
      if (out.includes('\n')) resolve(line.trim());
    });
    proc.once('exit', (code) => {
      reject(new Error(`the no-op webhook exited ${String(code)}`));
    });
  });
  const ca = readFileSync(join(tls, 'ca.crt')).toString('base64');
  must(
    registerWebhooks(kubectl, { url, gateUrl: url }, ca, ['MutatingWebhookConfiguration'], { gate: true }),
    'registering the no-op webhook',
  );
  // The API server's webhook informer picks the configuration up within a second or so.
  await new Promise((r) => setTimeout(r, 2000));
  return { metrics: `${url}/metrics`, stop: () => stopProcess(proc) };
}

export interface KarpenterSideOptions {
  /** Registration delay, seconds. */
  delay: number;
  /** The NodePool's consolidationPolicy, when the workload sets one. */
  policy?: 'Balanced' | undefined;
  /** Register the no-op webhook first (the karpenter-noop side); `patch`: its gate answers with a patch. */
  noop: false | 'allow' | 'patch';
}

export async function startKarpenterSide(
  cp: ControlPlane,
  dir: string,
  install: string,
  o: KarpenterSideOptions,
): Promise<Side> {
  const { delay, policy } = o;
  const kubectl = kubectlWith(cp.kubeconfig);
  const noop = o.noop === false ? undefined : await startNoopSide(kubectl, dir, o.noop === 'patch');
  applyCrds(kubectl, ['-f', join(install, 'crds')]);
  const types = join(dir, 'instance-types.json');
  writeFileSync(types, JSON.stringify(kwokInstanceTypes(builtinCatalog(), berthPerfPool() as NodePool)));
  const nodeClass = {
    apiVersion: 'karpenter.kwok.sh/v1alpha1',
    kind: 'KWOKNodeClass',
    metadata: { name: 'default' },
    spec: { nodeRegistrationDelay: `${delay}s` },
  };
  const pool = karpenterPerfPool(policy);
  must(kubectl(['apply', '-f', '-'], [nodeClass, pool].map((o) => JSON.stringify(o)).join('\n')), 'applying');
  const kubeconfig = cp.kubeconfigs.controller;
  if (!kubeconfig) throw new Error('the control plane has no user controller');
  const proc = spawnLogged(join(install, 'kwok'), [], join(dir, 'karpenter.log'), {
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig,
      DISABLE_LEADER_ELECTION: 'true',
      METRICS_PORT: String(await freePort()),
      HEALTH_PROBE_PORT: String(await freePort()),
      INSTANCE_TYPES_FILE_PATH: types,
      SYSTEM_NAMESPACE: 'kube-system',
      LOG_LEVEL: 'error',
    },
  });
  await new Promise((r) => setTimeout(r, 2000));
  if (proc.exitCode !== null)
    throw new Error(`Karpenter exited ${proc.exitCode}; see ${join(dir, 'karpenter.log')}`);
  const pid = proc.pid;
  if (pid === undefined) throw new Error('Karpenter has no pid');
  return {
    name: o.noop === false ? 'karpenter' : o.noop === 'patch' ? 'karpenter-noop-patch' : 'karpenter-noop',
    pid,
    pool,
    metrics: noop?.metrics,
    stop: async () => {
      await stopProcess(proc);
      await noop?.stop();
    },
  };
}
