/**
 * npm run bench:webhook — autocannon over HTTPS against POST /validate with a realistic Deployment
 * review, at concurrency 50 and 200, against Berth and against a bare HTTPS express handler that
 * answers allowed: true to the same body (the transport ceiling). Prints req/s, p50, p99 and the
 * server's peak RSS for both, and the ratios. Goals: ≥ 80% of the ceiling's throughput, p99 within
 * 5 ms of the ceiling's, RSS under 150 MiB. Options: --seconds N per run (default 10), --json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { compile } from '../src/policies/compile/compile.js';
import { deployment, policies, profile, view } from './scenario.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } },
});
const seconds = Number(values.seconds);

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

interface Server {
  proc: ChildProcess;
  port: number;
}

/** On a machine with taskset, the server gets core 0 and the load generator (this process) core 1. */
const pinned = spawnSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' }).status === 0;

function startServer(mode: string): Promise<Server> {
  const script = fileURLToPath(new URL('./webhook-server.js', import.meta.url));
  const args = [script, '--mode', mode];
  const proc = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.once('exit', (c) => reject(new Error(`${mode} server exited ${c}`)));
    proc.stdout.on('data', (d: Buffer) => {
      const m = /READY (\d+)/.exec(d.toString());
      if (m) resolve({ proc, port: Number(m[1]) });
    });
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Figures {
  target: string;
  connections: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  rssMiB: number;
  errors: number;
  non2xx: number;
}

async function load(target: string, server: Server, connections: number, duration: number): Promise<Figures> {
  let peak = 0;
  const pid = server.proc.pid ?? 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
  const r = await autocannon({
    url: `https://127.0.0.1:${server.port}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration,
  });
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB(pid));
  return {
    target,
    connections,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    rssMiB: peak,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

const results: Figures[] = [];
for (const mode of ['bare', 'berth']) {
  const server = await startServer(mode);
  await load(mode, server, 50, Math.min(3, seconds)); // warm-up: JIT, TLS sessions, caches
  for (const c of [50, 200]) results.push(await load(mode, server, c, seconds));
  server.proc.kill();
}

const rows = [50, 200].map((c) => {
  const bare = results.find((r) => r.target === 'bare' && r.connections === c);
  const berth = results.find((r) => r.target === 'berth' && r.connections === c);
  if (!bare || !berth) throw new Error('missing run');
  return { c, bare, berth, ratio: berth.reqPerSec / bare.reqPerSec, p99Delta: berth.p99 - bare.p99 };
});

if (values.json) {
  process.stdout.write(`${JSON.stringify({ body: body.length, results, rows }, null, 2)}\n`);
} else {
  const f = (n: number, d = 0) => n.toFixed(d).padStart(8);
  console.log(
    `bench:webhook — POST /validate, a compiled Deployment review of ${body.length} bytes, ${seconds}s per run, HTTPS on loopback${pinned ? ', server on core 0 and autocannon on core 1' : ''}`,
  );
  console.log('target  conns     req/s   p50 ms   p99 ms  RSS MiB  errors');
  for (const r of results)
    console.log(
      `${r.target.padEnd(6)} ${f(r.connections)} ${f(r.reqPerSec)} ${f(r.p50, 1)} ${f(r.p99, 1)} ${f(r.rssMiB)} ${f(r.errors + r.non2xx)}`,
    );
  for (const r of rows)
    console.log(
      `c=${r.c}: Berth ${(r.ratio * 100).toFixed(1)}% of the ceiling's throughput (goal ≥ 80%); p99 ${r.p99Delta >= 0 ? '+' : ''}${r.p99Delta.toFixed(1)} ms vs the ceiling (goal ≤ 5 ms); RSS ${r.berth.rssMiB.toFixed(0)} MiB (goal < 150)`,
    );
}
