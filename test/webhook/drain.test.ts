/**
 * SIGTERM's drain over real HTTPS: once draining, /readyz fails (check `shutdown`), reviews are still
 * answered, each answer closes its connection (so the API server dials again, to a replica that
 * stays), and close() lets a review in flight finish.
 */
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startWebhook, type Running } from '../../src/webhook/server.js';
import { tlsFilesIn } from '../../src/webhook/tls.js';
import { review, testDeps, yamlObject } from './harness.js';
import { textIo } from './https-client.js';

const DEPLOYMENT = yamlObject(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: app, image: registry.example.com/web:1.0.0 }] }
`);

/** One request on a kept-alive agent: status, the Connection header, and the body. */
function send(url: string, ca: string, agent: Agent, path: string, body?: string) {
  return new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: body === undefined ? 'GET' : 'POST',
        ca,
        agent,
        headers: { 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('draining on SIGTERM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-drain-'));
  let running: Running;
  let ca = '';
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    const o = textIo();
    await runCli(['certs', '--out', dir, '--dns', 'localhost', '--ip', '127.0.0.1'], o);
    ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    running = await startWebhook(
      testDeps(),
      { host: '127.0.0.1', port: 0, metricsPort: undefined, tls: tlsFilesIn(dir) },
      pino({ level: 'silent' }),
    );
  });
  afterAll(() => {
    agent.destroy();
  });

  it('keeps connections alive and /readyz passing before the drain', async () => {
    const r = await send(running.url, ca, agent, '/readyz');
    expect(r.status).toBe(200);
    expect(r.connection).toBe('keep-alive');
  });

  it('fails /readyz, answers every review and closes each connection after its answer', async () => {
    running.drain();
    // The idle kept-alive connection is not cut (that would race a request being written on it): its
    // next answer closes it.
    await new Promise((r) => setTimeout(r, 50));
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
    const ready = await send(running.url, ca, agent, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toContain('[-]shutdown failed: draining');
    for (let i = 0; i < 5; i++) {
      const r = await send(
        running.url,
        ca,
        agent,
        '/mutate',
        JSON.stringify(review('CREATE', DEPLOYMENT, { uid: `d${i}` })),
      );
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ response: { uid: `d${i}`, allowed: true } });
      expect(r.connection).toBe('close');
    }
  });

  it('closes once the reviews in flight are answered', async () => {
    const inFlight = send(
      running.url,
      ca,
      new Agent({ keepAlive: false }),
      '/validate',
      JSON.stringify(review('CREATE', DEPLOYMENT, { uid: 'last' })),
    );
    await new Promise((r) => setTimeout(r, 5));
    await running.close();
    expect((await inFlight).status).toBe(200);
    await expect(send(running.url, ca, new Agent(), '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });
});
