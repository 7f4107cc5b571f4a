/**
 * npm run bench:apiserver — what Berth adds to a `kubectl apply`, measured where it runs: the e2e
 * tier's control plane (kube-apiserver built from k8s.io/kubernetes, on loopback) with Berth's two
 * webhooks registered as deploy/ registers them (failurePolicy Fail, timeoutSeconds 5) and pointed at
 * a `berth serve` on this host. N concurrent clients (client-node, not kubectl processes) create and
 * delete Deployments (paused, so no controller adds load) and bare Pods through the API server, for
 * the same time three times in one run: with Berth's webhooks registered; with the same
 * configurations pointed at a no-op HTTPS server that allows everything (bench/noop-webhook.ts: what
 * any webhook registered so costs on this machine); without webhooks. Printed per operation: p50/p99
 * of each run, what Berth's and the no-op webhooks add, and Berth's added p99 over the no-op's; and
 * the API server's own apiserver_admission_webhook_admission_duration_seconds for both (from its
 * /metrics). Goals: Berth's added p99 within 1.2× the no-op webhook's at 50 clients, and ≤ 10 ms at
 * a client count that does not saturate the API server alone. Options: --clients N (50), --seconds N
 * (20 each run), --json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { freePort, startControlPlane } from '../test/e2e/control-plane.js';
import { kubectlWith, loopbackCerts, routeWebhooks, startBerth } from '../test/e2e/harness.js';
import { deployment as userDeployment } from '../test/support/workloads.js';
import { startNoopWebhook, type NoopWebhook } from './noop-webhook.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
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

/** The API server's webhook latency histogram for Berth's webhooks, as cumulative buckets by le. */
function webhookHistogram(server: string, token: string): Map<string, Map<number, number>> {
  const text = execFileSync('curl', ['-sk', '-H', `Authorization: Bearer ${token}`, `${server}/metrics`], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const out = new Map<string, Map<number, number>>();
  const re = /^apiserver_admission_webhook_admission_duration_seconds_bucket\{([^}]*)\} (\S+)$/gm;
  for (const m of text.matchAll(re)) {
    const labels = m[1] ?? '';
    const name = /name="([^"]*)"/.exec(labels)?.[1] ?? '';
    if (!name.endsWith('berth.dev')) continue;
    const op = /operation="([^"]*)"/.exec(labels)?.[1] ?? '';
    const le = /le="([^"]*)"/.exec(labels)?.[1] ?? '';
    const key = `${name} ${op}`;
    const buckets = out.get(key) ?? new Map<number, number>();
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(m[2]));
    out.set(key, buckets);
  }
  return out;
}

/** A quantile from cumulative buckets: the upper bound of the bucket it falls in (as Prometheus reads them). */
function histogramQuantile(buckets: Map<number, number>, q: number): number {
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= q * total) {
      if (!Number.isFinite(bound)) return prevBound;
      const within = count - prevCount;
      return within === 0 ? bound : prevBound + ((q * total - prevCount) / within) * (bound - prevBound);
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

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
    const token = /token: (\S+)/.exec(readFileSync(cp.kubeconfig, 'utf8'))?.[1] ?? '';
    const caBundle = readFileSync(join(tls, 'ca.crt')).toString('base64');
    for (const r of routeWebhooks(kubectl, berth, caBundle)) must(r);
    // Warm both paths (TLS sessions, JIT) before either run is timed.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => client(api, 1000 + i, Date.now() + 2000, new Map())),
    );
    const settle = () => new Promise((r) => setTimeout(r, 2000)); // the API server's webhook informer catches up
    const before = webhookHistogram(cp.server, token);
    const withBerth = await run(api);
    const afterBerth = webhookHistogram(cp.server, token);
    noop = await startNoopWebhook(tls);
    for (const r of routeWebhooks(kubectl, { url: noop.url, gateUrl: noop.url }, caBundle)) must(r);
    await settle();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => client(api, 2000 + i, Date.now() + 2000, new Map())),
    );
    const withNoop = await run(api);
    const afterNoop = webhookHistogram(cp.server, token);
    must(kubectl(['delete', 'mutatingwebhookconfiguration', 'berth']));
    must(kubectl(['delete', 'validatingwebhookconfiguration', 'berth']));
    await settle();
    const without = await run(api);
    report({ berth: withBerth, noop: withNoop, none: without }, [
      ['Berth', delta(before, afterBerth)],
      ['no-op', delta(afterBerth, afterNoop)],
    ]);
  } finally {
    await noop?.stop();
    await berth?.stop();
    await cp.stop();
  }
}

type Histograms = Map<string, Map<number, number>>;

/** The buckets observed between two reads of the API server's histograms. */
function delta(before: Histograms, after: Histograms): Histograms {
  return new Map(
    [...after].map(([key, buckets]) => [
      key,
      new Map([...buckets].map(([le, n]) => [le, n - (before.get(key)?.get(le) ?? 0)])),
    ]),
  );
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
    [...h.entries()].map(([key, buckets]) => ({
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
    `bench:apiserver — ${String(clients)} clients, ${String(seconds)} s each: Berth's webhooks, the same configurations on a no-op webhook, none\n`,
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

await main();
