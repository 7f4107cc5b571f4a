/**
 * npm run bench:rollout — a rolling restart of Berth under steady admission load, measured where the
 * reviews come from: the e2e tier's kube-apiserver (built from k8s.io/kubernetes, on loopback) with
 * Berth's webhooks registered as deploy/ declares them (failurePolicy Fail), pointed at a Service in
 * front of the replicas (bench/chaos/service.ts with an endpoints file, as kube-proxy follows the
 * EndpointSlice: an endpoint it lists gets the connection even when it refuses).
 *
 * Two replicas serve; N clients create Deployments through the API server (dryRun=All: every create
 * is reviewed by /mutate and /validate, nothing is stored). Each replica is then replaced as a
 * Deployment rollout replaces a pod: a new replica starts and, once Ready, joins the endpoints; the old
 * one gets SIGTERM and leaves the endpoints --lag seconds later (the endpoints controller and
 * kube-proxy; both happen at once in Kubernetes, so the lag is the window in which a terminating
 * replica still gets new connections). Printed per side: reviews sent during the rollout and how many
 * failed, by error. Sides: --shutdown-delay 0 (the servers close at SIGTERM) and the chart's 15 s.
 * Goal: 0 failed reviews with the chart's setting. Options: --clients N (8), --lag S (2), --delays
 * 0,15, --json.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { freePort, startControlPlane, type ControlPlane } from '../test/e2e/control-plane.js';
import {
  installed,
  kubectlWith,
  loopbackCerts,
  registerWebhooks,
  startBerth,
  type Berth,
} from '../test/e2e/harness.js';
import { deployment } from '../test/support/workloads.js';
import { startService } from './chaos/service.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    lag: { type: 'string', default: '2' },
    delays: { type: 'string', default: '0,15' },
    json: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const lagS = Number(values.lag);
const delays = values.delays.split(',').map(Number);
const NS = 'load';

interface Side {
  shutdownDelay: number;
  reviews: number;
  failed: number;
  errors: Record<string, number>;
  rolloutSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The short reason an API server answer failed: the webhook's, or the transport's. */
function reason(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? String(e));
  const m = /failed calling webhook \\?"([^"\\]+)\\?": [^:]+: Post \\?"[^"]+\\?": ([a-z :]+)/i.exec(text);
  return m ? `${m[1] ?? ''}: ${(m[2] ?? '').trim()}` : text.slice(0, 120);
}

/** Clients creating Deployments (dry run) until stopped; counts answers inside the window. */
function load(api: KubernetesObjectApi) {
  const state = { stop: false, counting: false, reviews: 0, failed: 0, errors: {} as Record<string, number> };
  const one = async (id: number) => {
    for (let i = 0; !state.stop; i++) {
      const d = deployment(`d-${id}-${i}`, { app: 'load' }) as unknown as KubernetesObject;
      (d.metadata ??= {}).namespace = NS;
      try {
        await api.create(d, undefined, 'All');
        if (state.counting) state.reviews++;
      } catch (e) {
        if (!state.counting) continue;
        state.reviews++;
        state.failed++;
        const r = reason(e);
        state.errors[r] = (state.errors[r] ?? 0) + 1;
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, (_, i) => one(i)));
  return { state, done };
}

/** SIGTERM, as the kubelet sends it; resolves once the process has exited (SIGKILL after 30 s, the grace period). */
function terminate(b: Berth): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => b.proc.kill('SIGKILL'), 30_000);
    b.proc.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    b.proc.kill('SIGTERM');
  });
}

async function side(cp: ControlPlane, dir: string, shutdownDelay: number): Promise<Side> {
  const kubectl = kubectlWith(cp.kubeconfig);
  const tls = loopbackCerts(join(dir, `d${shutdownDelay}`));
  const policies = join(dir, 'policies.yaml');
  const endpoints = join(dir, `endpoints-${shutdownDelay}`);
  let n = 0;
  const replica = async (): Promise<Berth> =>
    startBerth({
      identity: `berth-${shutdownDelay}-${n++}`,
      kubeconfig: cp.kubeconfig,
      tlsDir: tls,
      policies,
      port: await freePort(),
      metricsPort: await freePort(),
      dir,
      args: ['--cloud', 'simulated', '--shutdown-delay', String(shutdownDelay), '--log-level', 'warn'],
    });
  const portOf = (b: Berth) => Number(new URL(b.url).port);
  let live: Berth[] = [await replica(), await replica()];
  const listed = new Set(live.map(portOf));
  const write = () => writeFileSync(endpoints, [...listed].join(' '));
  write();
  const service = await startService({ endpoints });
  const to = { url: `https://127.0.0.1:${service.port}`, gateUrl: `https://127.0.0.1:${service.port}` };
  const reg = registerWebhooks(kubectl, to, readFileSync(join(tls, 'ca.crt')).toString('base64'));
  if (reg.code !== 0) throw new Error(reg.stderr);
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  const { state, done } = load(KubernetesObjectApi.makeApiClient(kc));
  await sleep(3000);
  state.counting = true;
  const t0 = Date.now();
  const exits: Promise<void>[] = [];
  for (const old of [...live]) {
    const next = await replica();
    listed.add(portOf(next));
    write();
    live = [...live.filter((b) => b !== old), next];
    exits.push(terminate(old));
    // The endpoint leaves a moment after the SIGTERM: the endpoints controller, then kube-proxy.
    await sleep(lagS * 1000);
    listed.delete(portOf(old));
    write();
  }
  await Promise.all(exits);
  const rolloutSeconds = (Date.now() - t0) / 1000;
  await sleep(2000);
  state.counting = false;
  state.stop = true;
  await done;
  for (const b of live) await terminate(b);
  await service.stop();
  return {
    shutdownDelay,
    reviews: state.reviews,
    failed: state.failed,
    errors: state.errors,
    rolloutSeconds,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-rollout-'));
  const cp = await startControlPlane(installed('build-control-plane.sh'), join(dir, 'cluster'));
  const kubectl = kubectlWith(cp.kubeconfig);
  kubectl(['create', 'namespace', NS]);
  kubectl(['create', 'namespace', 'berth-system']);
  for (const k of ['deploy/crds', 'deploy/karpenter-crds', 'deploy/report-crds']) {
    const r = kubectl(['apply', '--server-side', '-k', k]);
    if (r.code !== 0) throw new Error(`kubectl apply -k ${k}: ${r.stderr}`);
  }
  // No provisioning here: the reviews are the load.
  writeFileSync(
    join(dir, 'policies.yaml'),
    readFileSync('policies.yaml', 'utf8').replace(/^ {2}mode: berth {14}#/m, '  mode: off                #'),
  );
  const sides: Side[] = [];
  try {
    for (const d of delays) sides.push(await side(cp, dir, d));
  } finally {
    await cp.stop();
  }
  if (values.json) {
    console.log(JSON.stringify({ clients, lagSeconds: lagS, sides }, null, 2));
    return;
  }
  console.log(
    `rolling restart of 2 replicas, ${clients} clients creating Deployments (dry run), endpoint lag ${lagS} s`,
  );
  console.log('| --shutdown-delay (s) | rollout (s) | reviews during it | failed | failures |');
  console.log('|---|---|---|---|---|');
  for (const s of sides)
    console.log(
      `| ${s.shutdownDelay} | ${s.rolloutSeconds.toFixed(1)} | ${s.reviews} | ${s.failed} | ${
        Object.entries(s.errors)
          .map(([k, v]) => `${v}× ${k}`)
          .join('; ') || '–'
      } |`,
    );
}

await main();
