/**
 * npm run bench:webhook — autocannon over HTTPS against POST /validate with a realistic Deployment
 * review, at concurrency 50 and 200, against Berth and against a bare HTTPS express handler that
 * answers allowed: true to the same body (the transport ceiling). Both servers run with the Node
 * options of deploy/'s Deployment. Runs alternate between the two servers for several rounds, so
 * drift of a shared machine hits both; the figures are medians, the ratio the median of each round's
 * pair. Prints req/s, p50, p99, the server's CPU µs per request and peak RSS for both, and the ratios.
 * A third server, `node` (the same bare handler on Node's HTTPS server, without express), runs in the
 * same rounds: the transport's own ceiling, which Berth's webhooks (answered before express) approach.
 * Goals: ≥ 90% of the ceiling's throughput, p99 within 5 ms of the ceiling's, RSS under 150 MiB
 * (serve: under the Deployment's 256 MiB memory request).
 *
 * npm run bench:load (--serve --connections 32): the same against the real `berth serve --local`
 * process instead of the webhook app alone (its admission feed and provisioner included).
 * Options: --seconds N per run (default 10), --rounds N (default 5), --connections list (default
 * 50,200), --serve, --json.
 */
import { parseArgs } from 'node:util';
import { compile } from '../src/policies/compile/compile.js';
import { deployment, policies, profile, view } from './scenario.js';
import { deployedNodeOptions } from './deployed.js';
import { load, pinned, startServer, type Figures, type Server, type Target } from './webhook-load.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50,200' },
    serve: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const CONNECTIONS = values.connections.split(',').map(Number);
if (CONNECTIONS.some((c) => !Number.isInteger(c) || c < 1) || !(seconds > 0) || !(rounds >= 1))
  throw new Error('--connections must list positive integers, --seconds and --rounds be positive');
const subject: Target = values.serve ? 'serve' : 'berth';

// The object the validating webhook sees: already compiled by the mutating one.
const object = compile(deployment, profile, policies, view.nodePools).object;
const body = JSON.stringify({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    requestKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    name: 'checkout',
    namespace: 'payments',
    operation: 'CREATE',
    userInfo: { username: 'admin', uid: '014fbff9a07c', groups: ['system:authenticated'] },
    object,
    oldObject: null,
    dryRun: false,
    options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
  },
});

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

const nodeOptions = deployedNodeOptions();
const servers: Partial<Record<Target, Server>> = {
  bare: await startServer('bare', nodeOptions),
  [subject]: await startServer(subject, nodeOptions),
  node: await startServer('node', nodeOptions),
};
const server = (t: Target): Server => {
  const s = servers[t];
  if (!s) throw new Error(`no ${t} server`);
  return s;
};
const runs: (Figures & { round: number })[] = [];
try {
  // Warm-up: JIT, TLS sessions, caches.
  for (const s of Object.values(servers)) await load(s, body, 50, Math.min(3, seconds));
  for (const c of CONNECTIONS) {
    for (let round = 0; round < rounds; round++) {
      const order: Target[] = round % 2 === 0 ? ['bare', subject, 'node'] : ['node', subject, 'bare'];
      for (const t of order) runs.push({ ...(await load(server(t), body, c, seconds)), round });
    }
  }
} finally {
  for (const s of Object.values(servers)) s.proc.kill();
}

function summary(target: Target, c: number) {
  const rs = runs.filter((r) => r.target === target && r.connections === c);
  return {
    reqPerSec: median(rs.map((r) => r.reqPerSec)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    rssMiB: Math.max(...rs.map((r) => r.rssMiB)),
    cpuMicros: median(rs.map((r) => r.cpuMicros)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
  };
}

const rows = CONNECTIONS.map((c) => {
  const pairs = [...Array(rounds).keys()].map((round) => {
    const of = (t: Target) => runs.find((r) => r.target === t && r.connections === c && r.round === round);
    const bare = of('bare');
    const berth = of(subject);
    const node = of('node');
    if (!bare || !berth || !node) throw new Error('missing run');
    return {
      ratio: berth.reqPerSec / bare.reqPerSec,
      nodeRatio: berth.reqPerSec / node.reqPerSec,
      cpuRatio: bare.cpuMicros / berth.cpuMicros,
      p99Delta: berth.p99 - bare.p99,
    };
  });
  return {
    c,
    bare: summary('bare', c),
    berth: summary(subject, c),
    node: summary('node', c),
    ratio: median(pairs.map((p) => p.ratio)),
    nodeRatio: median(pairs.map((p) => p.nodeRatio)),
    cpuRatio: median(pairs.map((p) => p.cpuRatio)),
    p99Delta: median(pairs.map((p) => p.p99Delta)),
  };
});

// The webhook app alone stays under 150 MiB; serve --local adds the provisioner and its solver thread,
// and is held to the Deployment's memory request (deploy/berth/deployment.yaml).
const rssGoal = subject === 'serve' ? "256, the Deployment's memory request" : '150';

if (values.json) {
  process.stdout.write(`${JSON.stringify({ body: body.length, nodeOptions, runs, rows }, null, 2)}\n`);
} else {
  const f = (n: number, d = 0) => n.toFixed(d).padStart(8);
  const what = subject === 'serve' ? 'berth serve --local' : 'the webhook app';
  console.log(
    `bench:${subject === 'serve' ? 'load' : 'webhook'} — ${what} against the bare handler: POST /validate, a compiled Deployment review of ${body.length} bytes, ${rounds} rounds of ${seconds}s per server and concurrency, HTTPS on loopback, node ${nodeOptions.join(' ') || '(no options)'}${pinned ? ', servers on core 0 and autocannon on core 1' : ''}`,
  );
  console.log('round target  conns     req/s   p50 ms   p99 ms  CPU µs/req  RSS MiB  errors');
  for (const r of runs)
    console.log(
      `${String(r.round + 1).padStart(5)} ${r.target.padEnd(6)} ${f(r.connections)} ${f(r.reqPerSec)} ${f(r.p50, 1)} ${f(r.p99, 1)} ${f(r.cpuMicros).padStart(11)} ${f(r.rssMiB)} ${f(r.errors)}`,
    );
  for (const r of rows)
    console.log(
      `c=${r.c}: median ${f(r.bare.reqPerSec).trim()} vs ${f(r.berth.reqPerSec).trim()} req/s; Berth ${(r.ratio * 100).toFixed(1)}% of the ceiling's throughput (goal ≥ 90%; by CPU per request ${(r.cpuRatio * 100).toFixed(1)}%); p99 ${r.p99Delta >= 0 ? '+' : ''}${r.p99Delta.toFixed(1)} ms vs the ceiling (goal ≤ 5 ms); peak RSS ${r.bare.rssMiB.toFixed(0)} / ${r.berth.rssMiB.toFixed(0)} MiB (goal < ${rssGoal})`,
    );
  for (const r of rows)
    console.log(
      `c=${r.c}: the transport alone (Node's HTTPS, no express) ${f(r.node.reqPerSec).trim()} req/s, p99 ${r.node.p99.toFixed(0)} ms; ${what} answers ${(r.nodeRatio * 100).toFixed(1)}% of it`,
    );
}
