/**
 * Real HTTPS: `berth certs` writes a CA and a serving certificate; the webhook serves with them; Node's
 * TLS client verifies the certificate against that CA (and refuses it against another); replacing
 * the files swaps the certificate without a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startWebhook, type Running } from '../../src/webhook/server.js';
import { tlsFilesIn } from '../../src/webhook/tls.js';
import { review, testDeps, yamlObject } from './harness.js';
import { call, textIo as io } from './https-client.js';

describe('HTTPS with certificates from berth certs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
  const other = mkdtempSync(join(tmpdir(), 'berth-tls-other-'));
  let running: Running;

  beforeAll(async () => {
    for (const d of [dir, other]) {
      const o = io();
      await runCli(['certs', '--out', d, '--dns', 'localhost', '--ip', '127.0.0.1'], o);
      expect(o.code, o.text).toBe(0);
    }
    running = await startWebhook(
      testDeps(),
      { host: '127.0.0.1', port: 0, metricsPort: 0, tls: tlsFilesIn(dir), tlsPollMs: 50 },
      pino({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });

  it('is verified by the CA that berth certs wrote, for 127.0.0.1 and localhost', async () => {
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const profile = yamlObject(`
apiVersion: berth.dev/v1alpha1
kind: WorkloadProfile
metadata: { name: billing-api, namespace: payments }
spec: { runtimeClass: general, availability: { minReplicas: 3 }, disruption: { minAvailable: 80% } }
`);
    const r = await call(
      running.url,
      ca,
      '/validate',
      JSON.stringify(review('CREATE', profile, { uid: 'tls' })),
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({
      response: { uid: 'tls', allowed: false, status: { code: 403 } },
    });
    const local = await call(running.url.replace('127.0.0.1', 'localhost'), ca, '/healthz');
    expect(local.status).toBe(200);
  });

  it('is refused against a different CA', async () => {
    const wrong = readFileSync(join(other, 'ca.crt'), 'utf8');
    await expect(call(running.url, wrong, '/healthz')).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });

  it('reloads the serving certificate when the files change, and exports its expiry', async () => {
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    const before = await call(running.url, ca, '/healthz');
    // Renew: the certificate (365 days) expires within --renew-before 400, so a new one is issued from the same CA.
    const o = io();
    await runCli(
      ['certs', '--out', dir, '--dns', 'localhost', '--ip', '127.0.0.1', '--renew-before', '400'],
      o,
    );
    expect(o.text).toContain('issued a serving certificate');
    expect(o.text).not.toMatch(/created a CA|renewed the CA/);
    const expected = new X509Certificate(readFileSync(join(dir, 'tls.crt'))).fingerprint256;
    let after = before;
    for (let i = 0; i < 100 && after.peer !== expected; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await call(running.url, ca, '/healthz');
    }
    expect(after.peer).toBe(expected);
    expect(after.peer).not.toBe(before.peer);
    const metrics = await fetch(running.metricsUrl ?? '').then((r) => r.text());
    const expiry = new Date(new X509Certificate(readFileSync(join(dir, 'tls.crt'))).validTo).getTime() / 1000;
    expect(metrics).toContain(`berth_certificate_expiry_timestamp_seconds ${expiry}`);
    // Each call above opened a connection of its own (agent: false): one handshake each, counted.
    const accepted = Number(/^berth_webhook_connections_total (\d+)$/m.exec(metrics)?.[1]);
    expect(accepted).toBeGreaterThanOrEqual(4);
  });
});
