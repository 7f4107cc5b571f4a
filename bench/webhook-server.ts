/**
 * The server side of bench:webhook, in its own process so the load generator does not share its
 * event loop: `berth` (the real webhook app, with Berth's logger writing one JSON line per decision to /dev/null) or
 * `bare` (an HTTPS express handler that parses the same body and answers allowed: true — the
 * ceiling the goal names) or `node` (the same without express: Node's own HTTPS server). Prints "READY <port>" when listening.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import express from 'express';
import { createLogger } from '../src/observability/logger.js';
import { planCerts } from '../src/certs/rotate.js';
import { Metrics } from '../src/observability/metrics.js';
import { dailyToday } from '../src/policies/engine.js';
import { createApp, MAX_BODY_BYTES, type WebhookListener } from '../src/webhook/app.js';

const { values } = parseArgs({ options: { mode: { type: 'string', default: 'berth' } } });
const certs = planCerts(
  {},
  {
    dns: ['localhost'],
    ips: ['127.0.0.1'],
    now: new Date(),
    caDays: 30,
    servingDays: 30,
    renewBeforeDays: 1,
  },
).files;

function bare(): express.Express {
  const app = express();
  app.post('/validate', express.json({ limit: MAX_BODY_BYTES }), (req, res) => {
    const uid = (req.body as { request?: { uid?: string } }).request?.uid ?? '';
    res.json({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid, allowed: true },
    });
  });
  return app;
}

/**
 * The transport alone: Node's HTTPS server, the body read and parsed, allowed: true — no express.
 * Berth answers its webhooks this way too; this is the ceiling for that, bare() the one the goal names.
 */
function node(): WebhookListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: string } };
      const text = JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: review.request?.uid ?? '', allowed: true },
      });
      res.writeHead(200, [
        'Content-Type',
        'application/json',
        'Content-Length',
        String(Buffer.byteLength(text)),
      ]);
      res.end(text);
    });
  };
}

async function berth(): Promise<WebhookListener> {
  // Loaded only for this mode: the ceiling's process holds no catalog.
  const { policies, view } = await import('./scenario.js');
  const today = dailyToday(() => new Date());
  return createApp({
    context: () => ({ view, policies, today: today() }),
    checks: () => [],
    metrics: new Metrics(),
    // Berth's own logger, writing where the container's stdout would go.
    logger: createLogger('info', '/dev/null'),
    deadlineMs: 4000,
    failOpen: false,
  });
}

const app = values.mode === 'bare' ? bare() : values.mode === 'node' ? node() : await berth();
const server = createServer({ cert: certs['tls.crt'], key: certs['tls.key'] }, app);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});
// Exit through process.exit so --cpu-prof and friends write their output.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
