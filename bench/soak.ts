/**
 * npm run bench:soak — admission under load while the provisioner plans a burst. `berth serve --local
 * -f examples/` runs as its own process with the Deployment's Node options; autocannon keeps 50
 * connections on POST /validate (the compiled checkout Deployment of the examples) through four phases:
 *
 *   baseline  load alone;
 *   burst     a Deployment of 20,000 replicas is admitted mid-run: the provisioner plans it (on its
 *             solver thread) and launches its nodes on the simulated cloud;
 *   rest      no load until the solver thread has been idle long enough to end (30 s);
 *   after     load alone again.
 *
 * Prints p50/p99/max latency, 5xx and answers past the deadline per phase, the server's RSS, and the
 * burst's round (pods, nodes, solve time). Goals: 0 5xx, 0 answers past the deadline, p99 during the
 * burst within 2× the baseline's, RSS after within 20% of the baseline's.
 * Options: --seconds N per load phase (default 10), --pods N in the burst (default 20000), --json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { runFiles } from '../src/inputs/session.js';
import { deployedNodeOptions } from './deployed.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    pods: { type: 'string', default: '20000' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const burstPods = Number(values.pods);
const DEADLINE_MS = 4000;
const IDLE_S = 35;
const root = fileURLToPath(new URL('../..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const rssMiB = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

function review(object: unknown, name: string, namespace: string): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `soak-${name}`,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name,
      namespace,
      operation: 'CREATE',
      userInfo: { username: 'soak' },
      object,
      oldObject: null,
      dryRun: false,
    },
  });
}

// The steady review: the examples' checkout Deployment as /mutate makes it.
const { result } = runFiles({}, [join(root, 'examples')], () => new Date());
const checkout = result.admitted.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'checkout');
const steady = review(checkout, 'checkout', 'payments');
const burst = review(
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'burst', namespace: 'soak', labels: { 'app.kubernetes.io/name': 'burst' } },
    spec: {
      replicas: burstPods,
      selector: { matchLabels: { app: 'burst' } },
      template: {
        metadata: { labels: { app: 'burst' } },
        spec: {
          containers: [
            {
              name: 'w',
              image: 'registry.example.com/worker:1',
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '256Mi' } },
            },
          ],
        },
      },
    },
  },
  'burst',
  'soak',
);

// The server, as deployed: its own process, the Deployment's Node options, JSON logs on stdout.
const tlsDir = mkdtempSync(join(tmpdir(), 'berth-soak-'));
const port = await freePort();
const metricsPort = await freePort();
const server = spawn(
  process.execPath,
  [
    ...deployedNodeOptions(),
    join(root, 'dist/src/cli/main.js'),
    'serve',
    '--local',
    '-f',
    join(root, 'examples'),
    '--tls-dir',
    tlsDir,
    '--port',
    String(port),
    '--metrics-port',
    String(metricsPort),
  ],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
const pid = server.pid ?? 0;
interface Round {
  pods: number;
  launched: number;
  solveMillis: number;
  at: number;
}
const rounds: Round[] = [];
let launchedLines = 0;
let bounded: { capped?: { planned: number; why: string }[]; deferred?: number } | undefined;
let buffered = '';
let serving: () => void = () => undefined;
server.stdout.on('data', (d: Buffer) => {
  if (d.toString().includes('berth: serving')) serving();
  buffered += d.toString();
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    const l = JSON.parse(line) as {
      msg?: string;
      pods?: number;
      launched?: number;
      solveMillis?: number;
      capped?: { planned: number; why: string }[];
      deferred?: number;
    };
    if (l.msg === 'launched') launchedLines++;
    if (l.msg === 'provisioner demand bounded' && bounded === undefined) bounded = l;
    if (l.msg === 'provisioner round')
      rounds.push({
        pods: l.pods ?? 0,
        launched: l.launched ?? 0,
        solveMillis: l.solveMillis ?? 0,
        at: Date.now(),
      });
  }
});
server.stderr.on('data', (d: Buffer) => process.stderr.write(d));
await new Promise<void>((resolve, reject) => {
  server.once('exit', (c) => reject(new Error(`berth serve exited ${c}`)));
  serving = resolve;
});
const progress = (what: string): void => {
  process.stderr.write(`bench:soak: ${what}\n`);
};

interface Phase {
  phase: string;
  requests: number;
  p50: number;
  p99: number;
  max: number;
  fivexx: number;
  pastDeadline: number;
  rssMiB: number;
  peakRssMiB: number;
}

async function load(phase: string, duration: number, during?: () => void): Promise<Phase> {
  progress(`${phase}: ${duration} s of 50 connections on /validate`);
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
  const timer = during ? setTimeout(during, 1000) : undefined;
  const r = await autocannon({
    url: `https://127.0.0.1:${port}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: steady,
    connections: 50,
    duration,
    timeout: DEADLINE_MS / 1000 + 1,
  });
  clearTimeout(timer);
  clearInterval(sampler);
  const rss = rssMiB(pid);
  return {
    phase,
    requests: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    fivexx: r['5xx'],
    pastDeadline: r.timeouts + (r.latency.max > DEADLINE_MS ? 1 : 0),
    rssMiB: Math.round(rss),
    peakRssMiB: Math.round(Math.max(peak, rss)),
  };
}

async function post(body: string): Promise<number> {
  const r = await autocannon({
    url: `https://127.0.0.1:${port}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: 1,
    amount: 1,
  });
  return r['2xx'];
}

const phases: Phase[] = [];
let burstAt = 0;
/** The burst's round: the first after its admission that plans more than the steady review's pods. */
const isBurst = (r: Round): boolean => r.at >= burstAt && r.pods > 100;
try {
  await load('warm-up', 3);
  phases.push(await load('baseline', seconds));
  burstAt = Date.now();
  phases.push(
    await load('burst', seconds * 2, () => {
      void post(burst).then((ok) => {
        progress(`the ${burstPods}-replica Deployment ${ok === 1 ? 'was admitted' : 'was NOT admitted'}`);
      });
    }),
  );
  // The round may outlast the phase: wait for it, then for the solver thread to end.
  for (let i = 0; i < 600 && !rounds.some(isBurst); i++) await new Promise((r) => setTimeout(r, 100));
  progress(`rest: ${IDLE_S} s without load, for the solver thread to end`);
  const idle = Date.now();
  let restPeak = 0;
  while (Date.now() - idle < IDLE_S * 1000) {
    restPeak = Math.max(restPeak, rssMiB(pid));
    await new Promise((r) => setTimeout(r, 200));
  }
  phases.push({ ...(await load('after', seconds)), peakRssMiB: Math.round(restPeak) });
} finally {
  server.kill('SIGTERM');
}

const round = rounds.find(isBurst);
const [baseline, during, after] = [phases[0], phases[1], phases[2]] as [Phase, Phase, Phase];
const goals = {
  no5xx: phases.every((p) => p.fivexx === 0),
  noneLate: phases.every((p) => p.pastDeadline === 0),
  p99Ratio: Math.round((during.p99 / Math.max(1, baseline.p99)) * 100) / 100,
  rssRatio: Math.round((after.rssMiB / baseline.rssMiB) * 100) / 100,
};
if (values.json) {
  console.log(JSON.stringify({ phases, round, bounded, launchedLines, goals }, null, 2));
} else {
  console.log('phase      requests   p50 ms  p99 ms  max ms  5xx  late  RSS MiB (peak)');
  for (const p of phases)
    console.log(
      `${p.phase.padEnd(10)} ${String(p.requests).padStart(8)} ${String(p.p50).padStart(8)} ${String(p.p99).padStart(7)} ${String(p.max).padStart(7)} ${String(p.fivexx).padStart(4)} ${String(p.pastDeadline).padStart(5)}  ${p.rssMiB} (${p.peakRssMiB})`,
    );
  console.log(
    `burst round: ${round ? `${round.pods} pods, ${round.launched} nodes launched, solve ${round.solveMillis} ms, logged ${((round.at - burstAt) / 1000 - 1).toFixed(1)} s after the admission` : 'none seen'}`,
  );
  if (bounded)
    console.log(
      `bounded: ${[
        ...(bounded.capped ?? []).map((c) => `planned ${c.planned} replicas (${c.why})`),
        `${bounded.deferred ?? 0} pods left for later rounds`,
      ].join('; ')}`,
    );
  console.log(
    `goals: 0 5xx ${goals.no5xx ? 'met' : 'MISSED'}; 0 past the deadline ${goals.noneLate ? 'met' : 'MISSED'}; ` +
      `p99 burst/baseline ${goals.p99Ratio} (goal ≤ 2) ${goals.p99Ratio <= 2 ? 'met' : 'MISSED'}; ` +
      `RSS after/baseline ${goals.rssRatio} (goal ≤ 1.2) ${goals.rssRatio <= 1.2 ? 'met' : 'MISSED'}`,
  );
}
