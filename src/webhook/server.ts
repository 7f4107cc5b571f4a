/** The HTTPS listener for the webhook and the plain-HTTP listener for /metrics, with TLS reload. */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import { createApp, type WebhookDeps } from './app.js';
import type { Check } from './readiness.js';
import { readTls, watchTls, type TlsFiles } from './tls.js';
import { createServing } from './serving.js';
import type { Server as TlsServer } from 'node:tls';

export interface ServeOptions {
  host: string;
  port: number;
  metricsPort: number | undefined;
  /** Cluster mode: /gate also on this port, from a thread of its own (gate-thread.ts). */
  gatePort?: number | undefined;
  tls: TlsFiles;
  /** Offer HTTP/2 over ALPN beside HTTP/1.1 (default true; `--no-http2`). */
  http2?: boolean;
  tlsPollMs?: number;
}

export interface Running {
  url: string;
  metricsUrl: string | undefined;
  /** The scheduling gate's own server (--gate-port). */
  gateUrl?: string;
  /** The TLS listener (HTTP/2 and HTTP/1.1 over ALPN). */
  https: TlsServer;
  /**
   * SIGTERM's first step: /readyz fails (check `shutdown`) and every answer closes its connection, so
   * the API server dials again, through the Service, to a replica that stays; reviews go on being
   * answered until close(). Idle connections are not cut (see below).
   */
  drain(): void;
  /** Stops listening; requests in flight are answered (up to the deadline) before connections close. */
  close(): Promise<void>;
}

function listen(server: HttpServer | TlsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: HttpServer, graceMs = 0): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      server.closeAllConnections();
    }, graceMs).unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function metricsServer(metrics: Metrics): HttpServer {
  return createHttpServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('not found: /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text);
      },
      (e: unknown) => {
        res.writeHead(500).end(String(e));
      },
    );
  });
}

export async function startWebhook(deps: WebhookDeps, opts: ServeOptions, logger: Logger): Promise<Running> {
  const pair = readTls(opts.tls);
  deps.metrics.certExpiry.set(pair.notAfter.getTime() / 1000);
  let draining = false;
  const checks = (): readonly Check[] =>
    draining
      ? [
          ...deps.checks(),
          { name: 'shutdown', ok: false, detail: 'draining: answering until the endpoint is gone' },
        ]
      : deps.checks();
  const serving = createServing(
    {
      cert: pair.cert,
      key: pair.key,
      deadlineMs: deps.deadlineMs,
      http2: opts.http2 !== false,
      onConnection: () => {
        deps.metrics.connections.inc();
      },
    },
    createApp({ ...deps, checks }),
  );
  const https = serving.tls;
  const watch = watchTls(
    https,
    opts.tls,
    (r) => {
      if (r.ok) {
        deps.metrics.certExpiry.set(r.pair.notAfter.getTime() / 1000);
        logger.info({ notAfter: r.pair.notAfter.toISOString() }, 'serving certificate reloaded');
      } else logger.error({ err: r.error }, 'serving certificate refused; the previous one stays in use');
    },
    opts.tlsPollMs,
  );
  const port = await listen(https, opts.port, opts.host);
  let metrics: HttpServer | undefined;
  let metricsUrl: string | undefined;
  if (opts.metricsPort !== undefined) {
    metrics = metricsServer(deps.metrics);
    const mport = await listen(metrics, opts.metricsPort, opts.host);
    metricsUrl = `http://${opts.host}:${mport}/metrics`;
  }
  return {
    url: `https://${opts.host}:${port}`,
    metricsUrl,
    https,
    // HTTP/2 sessions get GOAWAY: their streams finish, the API server's next review opens a new
    // connection, through the Service, to a replica that stays. Idle HTTP/1.1 connections are left
    // open (closing one races a request that may be on its way; a POST is not retried): each is
    // closed after its next answer, and those still idle when the servers close, by close().
    drain: () => {
      draining = true;
      serving.drain();
    },
    close: async () => {
      watch.stop();
      await Promise.all([serving.close(deps.deadlineMs), ...(metrics ? [close(metrics)] : [])]);
    },
  };
}
