/**
 * `berth serve --local` end to end in-process: real HTTPS, the admission feed, and the provisioner on
 * the simulated cloud. A Deployment admitted through /validate is planned at once; admitting it again
 * buys nothing more; scaling it up buys the difference; provisioner.mode: off buys nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../src/util/io.js';
import { runCli } from '../src/cli/program.js';
import { startLocal } from '../src/operator/local.js';
import type { ServeOpts } from '../src/operator/options.js';
import { openSession } from '../src/inputs/session.js';
import { Metrics } from '../src/observability/metrics.js';
import { LivePolicies } from '../src/policies/live.js';
import { tlsFilesIn } from '../src/webhook/tls.js';
import { review, yamlObject } from './webhook/harness.js';

const io: CliIO = {
  out: () => undefined,
  err: () => undefined,
  exit: () => undefined,
  clock: () => new Date(),
};
const dir = mkdtempSync(join(tmpdir(), 'berth-local-'));
const policiesFile = join(dir, 'policies.yaml');
const metrics = new Metrics({ defaults: false });
let url = '';
let ca = '';
let stop: () => Promise<void> = () => Promise.resolve();
let close: () => Promise<void> = () => Promise.resolve();
let reloaded: () => Promise<void> = () => Promise.resolve();

function post(path: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}${path}`,
      { method: 'POST', ca, headers: { 'Content-Type': 'application/json' }, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

function get(path: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}${path}`, { ca, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

const deployment = (replicas: number) =>
  yamlObject(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps, labels: { app.kubernetes.io/name: web, team: web } }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          resources: { requests: { cpu: '1', memory: 2Gi }, limits: { memory: 2Gi } }
`);

async function nodes(): Promise<number> {
  const m = await metrics.registry.getSingleMetricAsString('berth_nodes');
  return [...m.matchAll(/^berth_nodes\{[^}]*\} (\d+)$/gm)].reduce((s, x) => s + Number(x[1]), 0);
}

/** The node count once it is above `above` and has held for 3 reads in a row (a loaded machine plans slower). */
async function settle(above = 0): Promise<number> {
  let last = -1;
  let held = 0;
  for (let i = 0; i < 150; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const n = await nodes();
    held = n === last ? held + 1 : 0;
    if (n > above && held >= 3) return n;
    last = n;
  }
  return last;
}

beforeAll(async () => {
  await runCli(['certs', '--out', dir, '--dns', 'localhost', '--ip', '127.0.0.1'], io);
  ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  writeFileSync(
    policiesFile,
    readFileSync('policies.yaml', 'utf8').replace(/batchMaxSeconds: \d+/, 'batchMaxSeconds: 0'),
  );
  const opts = { local: true, policies: policiesFile, nodeJoinTimeout: '900' } as ServeOpts;
  const session = openSession(opts);
  const logger = pino({ level: 'silent' });
  const live = new LivePolicies(session.policies, policiesFile);
  const unwatch = live.watch(100);
  reloaded = () =>
    new Promise((resolve) => {
      live.onReload(() => {
        resolve();
      });
    });
  const started = await startLocal({
    opts,
    session,
    live,
    base: { metrics, logger, deadlineMs: 4000, failOpen: false },
    listen: { host: '127.0.0.1', port: 0, metricsPort: 0, tls: tlsFilesIn(dir) },
    io,
  });
  url = started.running.url;
  stop = async () => {
    unwatch();
    await started.stop();
  };
  close = () => started.running.close();
});

afterAll(async () => {
  await stop();
  await close();
});

describe('berth serve --local provisions what it admits', () => {
  it('plans an admitted Deployment at once and buys nothing more when it is admitted again', async () => {
    const r = await post('/validate', review('CREATE', deployment(20)));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ response: { allowed: true } });
    const bought = await settle();
    expect(bought).toBeGreaterThan(0);
    expect(await metrics.registry.getSingleMetricAsString('berth_cost_per_hour_dollars')).toMatch(
      /nodepool="[a-z-]+"\} 0\.\d+/,
    );
    // What the nodes cost beside their instances (their volumes: 20 GiB gp3 is $0.0022 a node-hour).
    expect(await metrics.registry.getSingleMetricAsString('berth_node_cost_per_hour_dollars')).toMatch(
      /nodepool="[a-z-]+"\} 0\.00\d+/,
    );
    await post('/validate', review('UPDATE', deployment(20), { oldObject: deployment(20) }));
    expect(await settle()).toBe(bought);
  });

  it('buys the difference when the Deployment is scaled up', async () => {
    const before = await nodes();
    await post('/validate', review('UPDATE', deployment(80), { oldObject: deployment(20) }));
    expect(await settle(before)).toBeGreaterThan(before);
  });

  it('plans a valid Deployment of 2,147,483,647 replicas within bounds, off the event loop that answers admission', async () => {
    const capped = async () =>
      Number(
        / (\d+)$/m.exec(
          await metrics.registry.getSingleMetricAsString('berth_provisioner_replicas_capped_total'),
        )?.[1],
      );
    const before = await capped();
    const r = await post(
      '/validate',
      review('UPDATE', deployment(2_147_483_647), { oldObject: deployment(80) }),
    );
    expect(JSON.parse(r.body)).toMatchObject({ response: { allowed: true } });
    // While the solver thread plans, reviews and health checks are answered at once.
    let slowest = 0;
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const h = await get('/healthz');
      slowest = Math.max(slowest, performance.now() - started);
      expect(h.status).toBe(200);
      await new Promise((res) => setTimeout(res, 25));
    }
    expect(slowest).toBeLessThan(250);
    await settle();
    // Capped by what the NodePools' limits can hold, and said so in the metric.
    expect(await capped()).toBe(before + 1);
  });

  it('buys nothing while provisioner.mode is off', async () => {
    const applied = reloaded();
    writeFileSync(policiesFile, readFileSync(policiesFile, 'utf8').replace('mode: berth', 'mode: off'));
    await applied;
    const before = await nodes();
    await post('/validate', review('UPDATE', deployment(200), { oldObject: deployment(80) }));
    await new Promise((r) => setTimeout(r, 500));
    expect(await nodes()).toBe(before);
  });
});
