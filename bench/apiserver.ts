/**
 * npm run bench:apiserver — what Berth adds to a `kubectl apply`, measured where it runs: the e2e
 * tier's control plane (kube-apiserver built from k8s.io/kubernetes, on loopback) with Berth's two
 * webhooks registered as deploy/ registers them (failurePolicy Fail, timeoutSeconds 5) and pointed at
 * a `berth serve` on this host. N concurrent clients (client-node, not kubectl processes) create and
 * delete Deployments (paused, so no controller adds load) and bare Pods through the API server, for
 * the same time twice in one run: with the webhooks registered, then without them. Printed per
 * operation: p50/p99 of both runs and what the webhooks add, and the API server's own
 * apiserver_admission_webhook_admission_duration_seconds for Berth's webhooks (from its /metrics).
 * Goal: added p99 ≤ 10 ms at 50 clients on a 2-core machine. Options: --clients N (50), --seconds N
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
    for (const r of routeWebhooks(kubectl, berth, readFileSync(join(tls, 'ca.crt')).toString('base64')))
      must(r);
    // Warm both paths (TLS sessions, JIT) before either run is timed.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => client(api, 1000 + i, Date.now() + 2000, new Map())),
    );
    const before = webhookHistogram(cp.server, token);
    const withHooks = await run(api);
    const after = webhookHistogram(cp.server, token);
    must(kubectl(['delete', 'mutatingwebhookconfiguration', 'berth']));
    must(kubectl(['delete', 'validatingwebhookconfiguration', 'berth']));
    await new Promise((r) => setTimeout(r, 2000)); // the API server's webhook informer catches up
    const without = await run(api);
    report(withHooks, without, before, after);
  } finally {
    await berth?.stop();
    await cp.stop();
  }
}

function report(
  withHooks: Map<Op, number[]>,
  without: Map<Op, number[]>,
  before: Map<string, Map<number, number>>,
  after: Map<string, Map<number, number>>,
): void {
  const rows = [...withHooks.keys()].map((op) => {
    const a = withHooks.get(op) ?? [];
    const b = without.get(op) ?? [];
    return {
      op,
      requests: [a.length, b.length],
      p50: [quantile(a, 0.5), quantile(b, 0.5)],
      p99: [quantile(a, 0.99), quantile(b, 0.99)],
    };
  });
  const server = [...after.entries()].map(([key, buckets]) => {
    const delta = new Map([...buckets].map(([le, n]) => [le, n - (before.get(key)?.get(le) ?? 0)]));
    return {
      webhook: key,
      p50: histogramQuantile(delta, 0.5) * 1000,
      p99: histogramQuantile(delta, 0.99) * 1000,
    };
  });
  if (values.json) {
    console.log(JSON.stringify({ clients, seconds, rows, server }, null, 2));
    return;
  }
  const f = (n: number) => n.toFixed(1);
  console.log(
    `bench:apiserver — ${clients} clients, ${seconds} s with Berth's webhooks and ${seconds} s without\n`,
  );
  console.log(
    'operation           requests (with/without)   p50 with  without  added   p99 with  without  added',
  );
  for (const r of rows)
    console.log(
      `${r.op.padEnd(20)}${`${r.requests[0]}/${r.requests[1]}`.padEnd(26)}${f(r.p50[0] ?? 0).padStart(8)} ${f(r.p50[1] ?? 0).padStart(8)} ${f((r.p50[0] ?? 0) - (r.p50[1] ?? 0)).padStart(6)}  ${f(r.p99[0] ?? 0).padStart(8)} ${f(r.p99[1] ?? 0).padStart(8)} ${f((r.p99[0] ?? 0) - (r.p99[1] ?? 0)).padStart(6)}   ms`,
    );
  console.log("\nkube-apiserver's apiserver_admission_webhook_admission_duration_seconds (with webhooks):");
  for (const s of server) console.log(`  ${s.webhook.padEnd(28)} p50 ${f(s.p50)} ms   p99 ${f(s.p99)} ms`);
}

await main();
