/**
 * The scheduling gate's own server (`berth serve --gate-port`): a real thread, real HTTPS with the
 * certificates `berth certs` writes. It gates new pods while the main thread says gates are on, its
 * decisions reach the main thread's metrics, it reloads its certificate, it is started again on the
 * same port if its thread dies, and it answers while the main thread is busy.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { Metrics } from '../../src/observability/metrics.js';
import { GATE_THREAD_NAME } from '../../src/webhook/gate-server.js';
import { GateThread } from '../../src/webhook/gate-thread.js';
import { tlsFilesIn } from '../../src/webhook/tls.js';
import { review, webPod } from './harness.js';
import { call, textIo as io, type Answer } from './https-client.js';

/** An answer's review response, or its error. */
interface Json {
  response?: { uid: string; allowed: boolean; patch?: string };
  error?: string;
}
const json = (a: Answer): Json => {
  try {
    return JSON.parse(a.body) as Json;
  } catch {
    return {}; // /healthz answers text
  }
};

const podReview = (uid: string) => JSON.stringify(review('CREATE', webPod(), { uid }));
const patchOf = (a: Answer): unknown => {
  const patch = json(a).response?.patch;
  return patch === undefined ? undefined : JSON.parse(Buffer.from(patch, 'base64').toString());
};
const GATED = [{ op: 'add', path: '/spec/schedulingGates', value: [{ name: 'berth.dev/capacity' }] }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(25);
  }
}

async function counted(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)?.get();
  return (m?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((n, v) => n + v.value, 0);
}

describe("the scheduling gate's own thread and port", () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-gate-'));
  const metrics = new Metrics();
  let on = true;
  let gate: GateThread;
  let ca = '';

  beforeAll(async () => {
    const o = io();
    await runCli(['certs', '--out', dir, '--dns', 'localhost', '--ip', '127.0.0.1'], o);
    expect(o.code, o.text).toBe(0);
    ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    gate = await GateThread.start({
      host: '127.0.0.1',
      port: 0,
      tls: tlsFilesIn(dir),
      deadlineMs: 2000,
      on: () => on,
      metrics,
      logger: pino({ level: 'silent' }),
      pollMs: 20,
      tlsPollMs: 50,
      restartMs: 50,
    });
  });
  afterAll(async () => {
    await gate.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gates a new pod while gates are on, and not once the main thread says they are off', async () => {
    const gated = await call(gate.url, ca, '/gate', podReview('g-on'));
    expect(gated.status).toBe(200);
    expect(json(gated).response).toMatchObject({ uid: 'g-on', allowed: true });
    expect(patchOf(gated)).toEqual(GATED);
    on = false;
    await until('gates off reach the thread', async () => {
      const a = await call(gate.url, ca, '/gate', podReview('g-off'));
      return json(a).response?.allowed === true && patchOf(a) === undefined;
    });
    on = true;
    await until(
      'gates on again',
      async () => patchOf(await call(gate.url, ca, '/gate', podReview('g'))) !== undefined,
    );
  });

  it("counts its decisions and refusals in the main thread's metrics", async () => {
    const before = await counted(metrics, 'berth_admission_reviews_total', {
      webhook: 'gate',
      verdict: 'allowed',
    });
    await call(gate.url, ca, '/gate', podReview('m-1'));
    const bad = await call(gate.url, ca, '/gate', '{"apiVersion":');
    expect(bad.status).toBe(400);
    expect(json(bad).error).toMatch(/not valid JSON/);
    await until('the batch reaches the main thread', async () => {
      const now = await counted(metrics, 'berth_admission_reviews_total', {
        webhook: 'gate',
        verdict: 'allowed',
      });
      const refused = await counted(metrics, 'berth_admission_bad_requests_total', { status: '400' });
      return now > before && refused >= 1;
    });
    expect(await counted(metrics, 'berth_webhook_connections_total', {})).toBeGreaterThan(0);
    // The thread's busy time: more than nothing (it handshook and answered), less than the time it ran.
    const busy = await counted(metrics, 'berth_gate_thread_busy_seconds_total', {});
    expect(busy).toBeGreaterThan(0);
    expect(busy).toBeLessThan(performance.now() / 1000);
  });

  it.runIf(process.platform === 'linux')('names its thread berth-gate, for top -H and /proc', () => {
    const names = readdirSync('/proc/self/task').map((tid) =>
      readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(),
    );
    expect(names).toContain(GATE_THREAD_NAME);
  });

  it('serves /healthz, and nothing but the gate: /validate on its port is a 404', async () => {
    expect((await call(gate.url, ca, '/healthz')).status).toBe(200);
    const other = await call(gate.url, ca, '/validate', podReview('v'));
    expect(other.status).toBe(404);
    expect(json(other).error).toMatch(/POST \/gate/);
  });

  it('answers while the main thread is blocked', () => {
    // A client in another process, waited for synchronously: this thread's event loop is held the
    // whole time, as a busy leader's would be, and the gate's thread answers all the same.
    const client = `const r = require('node:https').request(process.argv[1], { method: 'POST', ca: process.argv[2],
      headers: { 'Content-Type': 'application/json' } }, (res) => { let t = ''; res.on('data', (c) => (t += c));
      res.on('end', () => process.stdout.write(t)); }); r.end(process.argv[3]);`;
    const out = execFileSync(process.execPath, ['-e', client, `${gate.url}/gate`, ca, podReview('blocked')], {
      timeout: 20_000,
    });
    const answer = JSON.parse(out.toString()) as Json;
    expect(answer.response).toMatchObject({ uid: 'blocked', allowed: true });
  });

  it('reloads its serving certificate when the files change', async () => {
    const before = await call(gate.url, ca, '/healthz');
    const o = io();
    await runCli(
      ['certs', '--out', dir, '--dns', 'localhost', '--ip', '127.0.0.1', '--renew-before', '400'],
      o,
    );
    expect(o.text).toContain('issued a serving certificate');
    const expected = new X509Certificate(readFileSync(join(dir, 'tls.crt'))).fingerprint256;
    await until(
      'the new certificate served',
      async () => (await call(gate.url, ca, '/healthz')).peer === expected,
    );
    expect(expected).not.toBe(before.peer);
  });

  it('is started again on the same port when its thread dies', async () => {
    const port = gate.port;
    await (gate as unknown as { worker: Worker }).worker.terminate();
    await until('serving again', async () => {
      if (!gate.listening) return false;
      return (await call(gate.url, ca, '/healthz').catch(() => ({ status: 0 }))).status === 200;
    });
    expect(gate.port).toBe(port);
    expect(patchOf(await call(gate.url, ca, '/gate', podReview('again')))).toEqual(GATED);
  });
});

describe('a gate port that cannot be taken', () => {
  it('fails the start with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-gate-busy-'));
    const o = io();
    await runCli(['certs', '--out', dir, '--dns', 'localhost', '--ip', '127.0.0.1'], o);
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await expect(
      GateThread.start({
        host: '127.0.0.1',
        port,
        tls: tlsFilesIn(dir),
        deadlineMs: 2000,
        on: () => true,
        metrics: new Metrics(),
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
