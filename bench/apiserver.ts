/**
 * npm run bench:apiserver — what Berth adds to a `kubectl apply`, measured where it runs: the e2e
 * tier's control plane (kube-apiserver built from k8s.io/kubernetes, on loopback) with Berth's two
 * webhooks registered as deploy/ registers them (failurePolicy Fail, timeoutSeconds 5) and pointed at
 * a `berth serve` on this host. N concurrent clients (client-node, not kubectl processes) create and
 * delete Deployments (paused, so no controller adds load) and bare Pods through the API server, in
 * turns of the same length, three sides a round: with Berth's webhooks registered; with the same
 * configurations pointed at a no-op HTTPS server that allows everything (bench/noop-webhook.ts: what
 * any webhook registered so costs on this machine); without webhooks — round after round, so that the
 * machine's drift is shared by the sides. Printed per operation over all rounds: p50/p99 of each side,
 * what Berth's and the no-op webhooks add, and Berth's added p99 over the no-op's; the API server's
 * own apiserver_admission_webhook_admission_duration_seconds for both (from its /metrics); Berth's own
 * time per review and the TLS connections the API server opened to each webhook. Goals: Berth's added
 * p99 within 1.2× the no-op webhook's at 50 clients, and ≤ 10 ms at a client count that does not
 * saturate the API server alone. Options: --clients N (50), --seconds N (20 each turn), --rounds N
 * (3), --json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { freePort, startControlPlane } from '../test/e2e/control-plane.js';
import { kubectlWith, loopbackCerts, registerWebhooks, startBerth } from '../test/e2e/harness.js';
import { deployment as userDeployment } from '../test/support/workloads.js';
import { startNoopWebhook, type NoopWebhook } from './noop-webhook.js';
import {
  apiserverWebhooks,
  counter,
  delta,
  histogramQuantile,
  berthReviews,
  observations,
  scrape,
  type Histograms,
} from './histograms.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const NS = 'bench';

type Op = 'create deployment' | 'delete deployment' | 'create pod' | 'delete pod';

/** A user's Deployment (test/support/workloads.ts), paused so that no controller adds load, with a zone spread. */
const deployment = (name: string): KubernetesObject => {
  const d = userDeployment(name, { 'app.kubernetes.io/name': name }) as unknown as KubernetesObject & {
    metadata: { namespace?: string; uid?: string };
    spec: { paused?: boolean; template: { spec: Record<string, unknown> } };
  };
  d.metadata.namespace = NS;
  delete d.metadata.uid;
  d.spec.paused = true;
  d.spec.template.spec.topologySpreadConstraints = [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: name } },
    },
  ];
  return d;
};

const pod = (name: string): KubernetesObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { 'app.kubernetes.io/name': name } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/app:1.0.0',
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '64Mi' } },
        },
      ],
    },
  }) as KubernetesObject;

/** One client: create and delete its own objects in turn until the deadline, timing each call. */
async function client(api: KubernetesObjectApi, id: number, until: number, times: Map<Op, number[]>) {
  const timed = async (op: Op, f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    times.get(op)?.push(performance.now() - t);
  };
  for (let i = 0; Date.now() < until; i++) {
    const d = deployment(`d-${id}-${i}`);
    const p = pod(`p-${id}-${i}`);
    await timed('create deployment', () => api.create(d));
    await timed('create pod', () => api.create(p));
    await timed('delete deployment', () => api.delete(d));
    await timed('delete pod', () => api.delete(p, undefined, undefined, 0));
  }
}

async function run(api: KubernetesObjectApi): Promise<Map<Op, number[]>> {
  const times = new Map<Op, number[]>(
    (['create deployment', 'create pod', 'delete deployment', 'delete pod'] as Op[]).map((o) => [o, []]),
  );
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, (_, i) => client(api, i, until, times)));
  return times;
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-apiserver-'));
  const bin = execFileSync('bash', ['test/e2e/build-control-plane.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const cp = await startControlPlane(bin, join(dir, 'cluster'));
  const kubectl = kubectlWith(cp.kubeconfig);
  const must = (r: { code: number; stderr: string }) => {
    if (r.code !== 0) throw new Error(r.stderr);
  };
  let berth: Awaited<ReturnType<typeof startBerth>> | undefined;
  let noop: NoopWebhook | undefined;
  try {
    for (const k of ['deploy/crds', 'deploy/karpenter-crds', 'deploy/report-crds'])
      must(kubectl(['apply', '-k', k]));
    must(kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']));
    must(kubectl(['apply', '-k', 'deploy/']));
    must(kubectl(['apply', '-k', 'deploy/nodepools']));
    must(kubectl(['create', 'namespace', NS]));
    const tls = loopbackCerts(dir);
    const policies = join(dir, 'policies.yaml');
    // Admission only: provisioning and disruption off, as beside Karpenter.
    writeFileSync(policies, readFileSync('policies.yaml', 'utf8').replace(/mode: berth\b/, 'mode: off'));
    berth = await startBerth({
      kubeconfig: cp.kubeconfig,
      tlsDir: tls,
      policies,
      dir,
      identity: 'bench',
      port: await freePort(),
      metricsPort: await freePort(),
      args: ['--cloud', 'simulated', '--no-reports'],
    });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    const api = KubernetesObjectApi.makeApiClient(kc);
    const caBundle = readFileSync(join(tls, 'ca.crt')).toString('base64');
    noop = await startNoopWebhook(tls);
    const targets = { berth, noop: { url: noop.url, gateUrl: noop.url } };
    const settle = () => new Promise((r) => setTimeout(r, 2000)); // the API server's webhook informer catches up
    const tally = { berth: emptyTimes(), noop: emptyTimes(), none: emptyTimes() };
    const server = { berth: new Map() as Histograms, noop: new Map() as Histograms };
    let own: Histograms = new Map();
    const opened = { berth: 0, noop: 0 };
    // The sides take turns, round after round: this shared machine drifts within minutes, and a
    // side run once, after the others, would carry the drift (and etcd's growing history) alone.
    for (let round = 0; round < rounds; round++)
      for (const side of ['berth', 'noop', 'none'] as const) {
        if (side === 'none') {
          must(kubectl(['delete', 'mutatingwebhookconfiguration', 'berth']));
          must(kubectl(['delete', 'validatingwebhookconfiguration', 'berth']));
        } else must(registerWebhooks(kubectl, targets[side], caBundle));
        await settle();
        // Warm the path (connections, JIT) before the timed run.
        await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            client(api, 1000 * (round + 1) + i, Date.now() + 2000, new Map()),
          ),
        );
        const hooks = apiserverWebhooks(cp.server, cp.token);
        const page = scrape(berth.metrics);
        const noopConnections = noop.connections();
        const times = await run(api);
        for (const [op, xs] of times) tally[side].get(op)?.push(...xs);
        if (side === 'none') continue;
        server[side] = sum(server[side], delta(hooks, apiserverWebhooks(cp.server, cp.token)));
        if (side === 'noop') opened.noop += noop.connections() - noopConnections;
        else {
          const after = scrape(berth.metrics);
          own = sum(own, delta(berthReviews(page), berthReviews(after)));
          opened.berth += counter(after, CONNECTIONS) - counter(page, CONNECTIONS);
        }
      }
    report(tally, [
      ['Berth', server.berth],
      ['no-op', server.noop],
    ]);
    ownTimes(own, opened);
  } finally {
    await noop?.stop();
    await berth?.stop();
    await cp.stop();
  }
}

interface Sides {
  berth: Map<Op, number[]>;
  noop: Map<Op, number[]>;
  none: Map<Op, number[]>;
}

function report(sides: Sides, servers: [string, Histograms][]): void {
  const rows = [...sides.berth.keys()].map((op) => {
    const of = (m: Map<Op, number[]>) => m.get(op) ?? [];
    const q = (m: Map<Op, number[]>, x: number) => quantile(of(m), x);
    const p50 = { berth: q(sides.berth, 0.5), noop: q(sides.noop, 0.5), none: q(sides.none, 0.5) };
    const p99 = { berth: q(sides.berth, 0.99), noop: q(sides.noop, 0.99), none: q(sides.none, 0.99) };
    return {
      op,
      requests: { berth: of(sides.berth).length, noop: of(sides.noop).length, none: of(sides.none).length },
      p50,
      p99,
      addedP99: { berth: p99.berth - p99.none, noop: p99.noop - p99.none },
    };
  });
  const server = servers.flatMap(([side, h]) =>
    [...h.entries()]
      .filter(([, buckets]) => observations(buckets) > 0)
      .map(([key, buckets]) => ({
        side,
        webhook: key,
        p50: histogramQuantile(buckets, 0.5) * 1000,
        p99: histogramQuantile(buckets, 0.99) * 1000,
      })),
  );
  if (values.json) {
    console.log(JSON.stringify({ clients, seconds, rows, server }, null, 2));
    return;
  }
  const f = (n: number) => n.toFixed(1).padStart(7);
  console.log(
    `bench:apiserver — ${String(clients)} clients, ${String(rounds)} rounds of ${String(seconds)} s a side: Berth's webhooks, the same configurations on a no-op webhook, none\n`,
  );
  console.log(
    'operation           requests B/noop/none      p50 B  p50 noop p50 none    p99 B  p99 noop p99 none  added p99 B  added p99 noop  B/noop (ms)',
  );
  for (const r of rows) {
    const req = `${String(r.requests.berth)}/${String(r.requests.noop)}/${String(r.requests.none)}`;
    const ratio = r.addedP99.noop > 0 ? (r.addedP99.berth / r.addedP99.noop).toFixed(2) : '-';
    console.log(
      `${r.op.padEnd(20)}${req.padEnd(24)}${f(r.p50.berth)}  ${f(r.p50.noop)}  ${f(r.p50.none)}  ${f(r.p99.berth)}  ${f(r.p99.noop)}  ${f(r.p99.none)}  ${f(r.addedP99.berth).padStart(11)}  ${f(r.addedP99.noop).padStart(14)}  ${ratio.padStart(6)}`,
    );
  }
  console.log("\nkube-apiserver's apiserver_admission_webhook_admission_duration_seconds, per side:");
  for (const s of server)
    console.log(`  ${s.side.padEnd(6)} ${s.webhook.padEnd(28)} p50 ${f(s.p50)} ms   p99 ${f(s.p99)} ms`);
}

const CONNECTIONS = 'berth_webhook_connections_total';

function emptyTimes(): Map<Op, number[]> {
  return new Map<Op, number[]>(
    (['create deployment', 'create pod', 'delete deployment', 'delete pod'] as Op[]).map((o) => [o, []]),
  );
}

/** Two sets of bucket counts added series by series. */
function sum(a: Histograms, b: Histograms): Histograms {
  const out: Histograms = new Map([...a].map(([k, v]) => [k, new Map(v)]));
  for (const [key, buckets] of b) {
    const into = out.get(key) ?? new Map<number, number>();
    for (const [le, n] of buckets) into.set(le, (into.get(le) ?? 0) + n);
    out.set(key, into);
  }
  return out;
}

/**
 * Berth's own time per review (its berth_admission_review_duration_seconds, from reading the review
 * to answering it) and the TLS connections the API server opened to each webhook over the runs:
 * what of the API server's wait is Berth's work, and how many handshakes the runs cost.
 */
function ownTimes(own: Histograms, opened: { berth: number; noop: number }): void {
  const ms = (b: Map<number, number>, q: number) => (histogramQuantile(b, q) * 1000).toFixed(2);
  if (values.json) {
    console.log(
      JSON.stringify({
        own: Object.fromEntries(
          [...own].map(([k, b]) => [k, { n: observations(b), p50: ms(b, 0.5), p99: ms(b, 0.99) }]),
        ),
        connections: opened,
      }),
    );
    return;
  }
  console.log("\nBerth's own time per review (reading the review to answering it):");
  for (const [k, b] of own)
    if (observations(b) > 0)
      console.log(
        `  ${k.padEnd(10)} ${String(observations(b)).padStart(6)}×  p50 ${ms(b, 0.5)} ms   p99 ${ms(b, 0.99)} ms`,
      );
  console.log(
    `TLS connections the API server opened: to Berth ${String(opened.berth)}, to the no-op webhook ${String(opened.noop)}`,
  );
}

await main();
