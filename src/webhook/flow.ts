/**
 * One review's way through a webhook server, transport only: the path names the webhook, then the
 * media type, the body (charset, encoding, size, deadline), the review, the decision and the answer.
 * Both of `berth serve`'s HTTPS servers take it: the main one (every webhook, on the thread that also
 * runs the leader's duties) and the scheduling gate's own (src/webhook/gate-server.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../admission/admit.js';
import { parseReview, reviewOf, type AdmissionRequest, type AdmissionResponse } from '../admission/review.js';
import { BodyError, readJsonBody } from './body.js';

/** An UPDATE review carries the object and its old version, each up to the API server's 3 MiB. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export type Webhook = 'mutate' | 'validate' | 'gate';

/** What the HTTPS server calls for each request (a Node request listener; supertest takes it too). */
export type WebhookListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface ReviewFlow {
  /** The webhooks this server answers; any other request goes to `others`. */
  readonly webhooks: ReadonlySet<Webhook>;
  readonly deadlineMs: number;
  readonly now: () => number;
  /** The decision on a parsed review, read `started` (ms, from `now`). */
  decide(webhook: Webhook, request: AdmissionRequest, started: number): Decision;
  /** After the answer is written: logs, metrics, Events. */
  answered(webhook: Webhook, request: AdmissionRequest, decision: Decision, seconds: number): void;
  /** A body that is not a review (or could not be read) was answered with this 4xx. */
  refused(webhook: Webhook | undefined, status: number, reason: string): void;
  readonly others: WebhookListener;
}

/**
 * The media type exactly: `application/json`, any case, optionally followed by parameters
 * (`; charset=utf-8`). A plain scan: type-is's full media-type parse cost ~3% of throughput here.
 */
export function isJsonMediaType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semi = header.indexOf(';');
  const type = (semi < 0 ? header : header.slice(0, semi)).trim();
  return type.length === 16 && type.toLowerCase() === 'application/json';
}

/**
 * A JSON answer written with Node's own response calls: express's res.json() also looks up the
 * charset, checks freshness against the request's headers and sets headers one by one, which cost
 * ~5% of the webhook's throughput for answers that are never cached.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, [
    'Content-Type',
    'application/json; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(text)),
  ]);
  res.end(text);
}

/**
 * Which webhook a request is for, as express routed it before (a path in any case, one trailing
 * slash allowed, a query string ignored), or undefined for any other path.
 */
export function webhookOf(url: string): Webhook | undefined {
  let end = url.indexOf('?');
  if (end < 0) end = url.length;
  if (url.charCodeAt(end - 1) === 0x2f && end > 1) end--; // a trailing '/'
  if (end === 7 && url.slice(0, 7).toLowerCase() === '/mutate') return 'mutate';
  if (end === 9 && url.slice(0, 9).toLowerCase() === '/validate') return 'validate';
  if (end === 5 && url.slice(0, 5).toLowerCase() === '/gate') return 'gate';
  return undefined;
}

/** What a review that cannot be decided (in time, or at all) is answered: allowed or denied. */
export function undecided(req: AdmissionRequest, failOpen: boolean, why: string): Decision {
  const message = `berth could not review this request (${why})`;
  const response: AdmissionResponse = failOpen
    ? { uid: req.uid, allowed: true, warnings: [`${message}; admitted unchecked`.slice(0, 119)] }
    : { uid: req.uid, allowed: false, status: { code: 503, reason: 'ServiceUnavailable', message } };
  return { response, skipped: why };
}

/**
 * `decide` within the deadline: a review whose body took the deadline gets the failure mode's
 * answer undecided, and so does one decided past it — an answer past the deadline reaches an API
 * server that has given up (or worse, one that has not).
 */
export function withinDeadline(
  request: AdmissionRequest,
  o: { deadlineMs: number; failOpen: boolean; elapsed: () => number },
  decide: () => Decision,
): Decision {
  if (o.elapsed() > o.deadlineMs)
    return undecided(request, o.failOpen, `deadline of ${o.deadlineMs} ms passed before evaluation`);
  const decision = decide();
  const elapsed = o.elapsed();
  if (elapsed > o.deadlineMs && decision.skipped === undefined)
    return undecided(
      request,
      o.failOpen,
      `evaluation took ${Math.round(elapsed)} ms, past the deadline of ${o.deadlineMs} ms`,
    );
  return decision;
}

/** The 4xx for a body Berth cannot read as a review; a connection whose body was left unread closes. */
export function answerRefusal(err: BodyError, req: IncomingMessage, res: ServerResponse): void {
  if (err.close) {
    // The rest of the body was never read: this connection cannot carry another request.
    res.setHeader('Connection', 'close');
    res.once('finish', () => {
      setImmediate(() => req.socket.destroy());
    });
  }
  sendJson(res, err.status, { error: err.reason });
}

function answer(flow: ReviewFlow, webhook: Webhook, body: unknown, res: ServerResponse, started: number) {
  const parsed = parseReview(body);
  if (!parsed.ok) {
    flow.refused(webhook, parsed.status, parsed.reason);
    sendJson(res, parsed.status, { error: parsed.reason });
    return;
  }
  const decision = flow.decide(webhook, parsed.request, started);
  sendJson(res, 200, reviewOf(decision.response));
  flow.answered(webhook, parsed.request, decision, (flow.now() - started) / 1000);
}

/**
 * The webhooks' requests are answered here, before express: express gives every request and
 * response its own prototypes, which leaves Node's HTTP code polymorphic on the hot path: through
 * express the webhook server spent ~270 µs of CPU per review, as the bare express handler does;
 * answered here, ~145 µs (bench:webhook, 50 connections).
 */
export function reviewListener(flow: ReviewFlow): WebhookListener {
  return (req, res) => {
    const webhook = req.method === 'POST' && req.url !== undefined ? webhookOf(req.url) : undefined;
    if (webhook === undefined || !flow.webhooks.has(webhook)) {
      flow.others(req, res);
      return;
    }
    const started = flow.now();
    if (!isJsonMediaType(req.headers['content-type'])) {
      sendJson(res, 415, { error: 'Content-Type must be application/json' });
      return;
    }
    readJsonBody(
      req,
      MAX_BODY_BYTES,
      flow.deadlineMs,
      () => flow.now() - started,
      (err, body) => {
        if (err) {
          flow.refused(webhook, err.status, err.reason);
          answerRefusal(err, req, res);
        } else answer(flow, webhook, body, res, started);
      },
    );
  };
}
