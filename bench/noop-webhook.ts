/**
 * A no-op admission webhook for the benches' baseline: a Node HTTPS server that allows every review it
 * is sent, with Berth's serving certificate. Registered exactly as Berth's webhooks are (the same
 * configurations, resources, operations, match conditions, timeouts and failure policy), it measures
 * what any admission webhook costs a request on the same machine, beside what Berth's cost.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface NoopWebhook {
  /** https://127.0.0.1:PORT: every path (/mutate, /validate, /gate) answers allowed. */
  readonly url: string;
  /** Reviews answered so far. */
  readonly answered: () => number;
  /** TLS connections accepted so far (each one a handshake); also GET /metrics, as Berth names it. */
  readonly connections: () => number;
  stop(): Promise<void>;
}

/** The review's uid, or '' when the body is no AdmissionReview. */
function uidOf(body: string): string {
  try {
    return (JSON.parse(body) as { request?: { uid?: string } }).request?.uid ?? '';
  } catch {
    return '';
  }
}

/**
 * With `patch`, the reviews sent to /gate are answered with a JSON patch of the size of Berth's
 * scheduling gate (one `add` to the pod), a label the pods' templates always leave room for: what the
 * API server's applying a mutating webhook's patch costs each creation, without a gate to lift.
 */
const GATE_SIZED_PATCH = Buffer.from(
  JSON.stringify([{ op: 'add', path: '/metadata/labels/noop.bench.berth.dev~1patched', value: 'true' }]),
).toString('base64');

/** Starts the server on loopback with the certificate in `tlsDir` (tls.crt, tls.key). */
export async function startNoopWebhook(tlsDir: string, o: { patch?: boolean } = {}): Promise<NoopWebhook> {
  let answered = 0;
  let connections = 0;
  const server: Server = createServer(
    { cert: readFileSync(join(tlsDir, 'tls.crt')), key: readFileSync(join(tlsDir, 'tls.key')) },
    (req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        res.end(`berth_webhook_connections_total ${String(connections)}\n`);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        answered += 1;
        const uid = uidOf(Buffer.concat(chunks).toString('utf8'));
        const body = JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: {
            uid,
            allowed: true,
            ...(o.patch === true && req.url?.startsWith('/gate') === true
              ? { patchType: 'JSONPatch', patch: GATE_SIZED_PATCH }
              : {}),
          },
        });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    },
  );
  server.keepAliveTimeout = 60_000;
  server.on('secureConnection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${String(port)}`,
    answered: () => answered,
    connections: () => connections,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Run as a process of its own (bench:cluster's karpenter-noop side, so that it shares no event loop
 * with the bench's watches): `node dist/bench/noop-webhook.js TLS_DIR [--patch]`; prints its URL on
 * stdout and runs until SIGTERM.
 */
if (process.argv[1]?.endsWith('noop-webhook.js') === true) {
  const tlsDir = process.argv[2];
  if (tlsDir === undefined) {
    console.error('usage: noop-webhook.js TLS_DIR [--patch] (tls.crt, tls.key)');
    process.exit(2);
  }
  const server = await startNoopWebhook(tlsDir, { patch: process.argv.includes('--patch') });
  console.log(server.url);
  process.once('SIGTERM', () => {
    void server.stop().then(() => process.exit(0));
  });
}
