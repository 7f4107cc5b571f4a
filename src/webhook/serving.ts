/**
 * The webhook's HTTPS listener, HTTP/2 and HTTP/1.1 on one port: TLS offers both over ALPN and hands
 * each connection to the server of its protocol. kube-apiserver's webhook client negotiates HTTP/2
 * and keeps one connection to Berth, its reviews as streams on it; over HTTP/1.1 it kept up to 25 idle
 * connections and opened a new one for every review beyond them (213 TLS handshakes for 562 pod
 * creations in a burst).
 *
 * HTTP/2 hardened against its known abuses — the 2023 rapid reset (CVE-2023-44487) above all, for
 * which controller-runtime turns HTTP/2 off by default (Go's server then ran a handler per reset
 * stream without bound):
 * - a session whose peer resets more than RESET_LIMIT streams within RESET_WINDOW_MS is closed (the
 *   API server resets a review's stream only when its own timeout passes), so reset reviews cannot
 *   make unbounded work; nghttp2's own limit (a burst of 1,000 resets, then 33 a second) is behind it;
 * - at most MAX_STREAMS reviews in flight per session (SETTINGS_MAX_CONCURRENT_STREAMS; the API
 *   server opens another connection beyond it), few invalid frames and refused streams before the
 *   session goes, and an idle session closed after IDLE_MS;
 * - each review keeps the deadlines of the body reader (body.ts), as over HTTP/1.1.
 * HTTP/1.1 (probes, older clients) keeps Node's HTTP server and its header and request timeouts.
 */
import {
  createServer as createHttp1,
  type IncomingMessage,
  type Server as Http1,
  type ServerResponse,
} from 'node:http';
import {
  constants,
  createServer as createHttp2,
  type Http2Server,
  type Http2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createTls, type Server as TlsServer, type TLSSocket } from 'node:tls';

export const RESET_LIMIT = 100;
export const RESET_WINDOW_MS = 10_000;
export const MAX_STREAMS = 250;
export const IDLE_MS = 60_000;

export interface ServingOptions {
  cert: string;
  key: string;
  /** The review deadline: HTTP/1.1's header and request backstops derive from it. */
  deadlineMs: number;
  /** Offer HTTP/2 (default true); false: HTTP/1.1 only. */
  http2?: boolean;
  /** Each TLS connection accepted, with the protocol it negotiated. */
  onConnection?: (protocol: 'h2' | 'http/1.1') => void;
}

export type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface Serving {
  /** Listen on this; its secure context is what watchTls swaps. */
  readonly tls: TlsServer;
  /** SIGTERM's first step: HTTP/2 sessions get GOAWAY (their streams finish), HTTP/1.1 answers close. */
  drain(): void;
  /** Stops accepting; what is in flight is answered within graceMs, then every connection is cut. */
  close(graceMs: number): Promise<void>;
}

/** Counts a session's reset streams, and closes a session that resets too many. */
function guardResets(session: Http2Session): void {
  let window = Date.now();
  let resets = 0;
  session.on('stream', (stream: ServerHttp2Stream) => {
    stream.once('close', () => {
      // Whether Berth had begun to answer or not, the review's work was asked for and thrown away.
      if (stream.rstCode === constants.NGHTTP2_NO_ERROR) return;
      const now = Date.now();
      if (now - window > RESET_WINDOW_MS) {
        window = now;
        resets = 0;
      }
      // Destroyed outside nghttp2's callback: from within it, the connection stays open.
      if (++resets === RESET_LIMIT + 1)
        setTimeout(() => {
          session.destroy();
        }, 0);
    });
  });
}

export function createServing(o: ServingOptions, listener: Listener): Serving {
  let draining = false;
  const sessions = new Set<Http2Session>();
  const h1: Http1 = createHttp1({ connectionsCheckingInterval: 1000 }, listener);
  // The body reader answers a body that trickles in past the deadline (408, within it); these are
  // Node's backstops for what never reaches it (headers that never end), checked every second.
  h1.requestTimeout = o.deadlineMs + 1000;
  h1.headersTimeout = o.deadlineMs;
  h1.keepAliveTimeout = IDLE_MS;
  h1.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    // Runs before the listener answers (it reads the body first): the answer carries Connection: close.
    if (draining) res.shouldKeepAlive = false;
  });
  const h2: Http2Server = createHttp2(
    {
      settings: { maxConcurrentStreams: MAX_STREAMS },
      maxSessionInvalidFrames: 100,
      maxSessionRejectedStreams: 100,
    },
    listener as unknown as Parameters<typeof createHttp2>[1],
  );
  h2.on('session', (session: Http2Session) => {
    sessions.add(session);
    guardResets(session);
    session.once('close', () => sessions.delete(session));
    session.setTimeout(IDLE_MS, () => {
      session.close();
    });
    if (draining) session.close();
  });
  const tls = createTls(
    { cert: o.cert, key: o.key, ALPNProtocols: o.http2 === false ? ['http/1.1'] : ['h2', 'http/1.1'] },
    (socket: TLSSocket) => {
      const protocol = socket.alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
      o.onConnection?.(protocol);
      (protocol === 'h2' ? h2 : h1).emit('connection', socket);
    },
  );
  // The HTTP/1.1 server never listens itself: its connection tracking and timeouts start with the port.
  tls.on('listening', () => h1.emit('listening'));
  return {
    tls,
    drain: () => {
      draining = true;
      for (const s of sessions) s.close();
    },
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const cut = setTimeout(() => {
          for (const s of sessions) s.destroy();
          h1.closeAllConnections();
        }, graceMs).unref();
        tls.close(() => {
          clearTimeout(cut);
          resolve();
        });
        for (const s of sessions) s.close();
        h1.closeIdleConnections();
        h1.close(() => undefined);
      }),
  };
}
