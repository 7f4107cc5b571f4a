/**
 * The admission webhook's HTTP surface, transport only (the decisions are src/admission's): POST
 * /mutate and /validate parse an AdmissionReview, call mutate or validate, and answer; a body that
 * is not a review gets a 4xx with the reason. Never a 5xx: an internal failure becomes an answer in
 * the configured failure mode. Every other request (probes, 404s) goes to an express app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { AdmissionContext, Decision } from '../admission/admit.js';
import { mutate, validate } from '../admission/admit.js';
import { gate } from '../admission/gate.js';
import { parseReview, reviewOf, type AdmissionRequest, type AdmissionResponse } from '../admission/review.js';
import type { Metrics } from '../observability/metrics.js';
import { BodyError, readJsonBody } from './body.js';
import { renderChecks, type Check } from './readiness.js';
import { recordDecision } from './record.js';
import { EvaluationBudgetError } from '../scheduling/placement.js';

/** An UPDATE review carries the object and its old version, each up to the API server's 3 MiB. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export type Webhook = 'mutate' | 'validate' | 'gate';

/** What the HTTPS server calls for each request (a Node request listener; supertest takes it too). */
export type WebhookListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface WebhookDeps {
  /** The view, policies and date to decide with, read per review (policies reload live). */
  context(): AdmissionContext;
  checks(): readonly Check[];
  metrics: Metrics;
  logger: Logger;
  /** Answer within this; shorter than the webhook configurations' timeoutSeconds. */
  deadlineMs: number;
  /** What a review that cannot be decided in time (or fails inside Berth) gets: allow or deny. */
  failOpen: boolean;
  /** Called after each answered decision (Events on denials); not for dry runs. */
  onDecision?: (webhook: Webhook, req: AdmissionRequest, decision: Decision) => void;
  now?: () => number;
}

const DECIDE: Record<Webhook, (req: AdmissionRequest, ctx: AdmissionContext) => Decision> = {
  mutate,
  validate,
  gate: (req, ctx) => gate(req, ctx.schedulingGates === true),
};

function undecided(req: AdmissionRequest, failOpen: boolean, why: string): Decision {
  const message = `berth could not review this request (${why})`;
  const response: AdmissionResponse = failOpen
    ? { uid: req.uid, allowed: true, warnings: [`${message}; admitted unchecked`.slice(0, 119)] }
    : { uid: req.uid, allowed: false, status: { code: 503, reason: 'ServiceUnavailable', message } };
  return { response, skipped: why };
}

/** The decision, or the failure mode's answer when Berth cannot decide (a budget passed, an error). */
function decide(webhook: Webhook, request: AdmissionRequest, deps: WebhookDeps): Decision {
  try {
    return DECIDE[webhook](request, deps.context());
  } catch (e) {
    if (e instanceof EvaluationBudgetError) {
      deps.logger.warn({ uid: request.uid, reason: e.message }, 'review abandoned');
      return undecided(request, deps.failOpen, `evaluation abandoned: ${e.message}`);
    }
    deps.logger.error({ err: e, uid: request.uid }, 'review failed');
    return undecided(request, deps.failOpen, `internal error: ${(e as Error).message}`);
  }
}

function handler(webhook: Webhook, deps: WebhookDeps) {
  const now = deps.now ?? (() => performance.now());
  return (body: unknown, res: ServerResponse, started: number): void => {
    const parsed = parseReview(body);
    if (!parsed.ok) {
      deps.metrics.rejectedReviews.inc({ status: String(parsed.status) });
      deps.logger.warn({ webhook, status: parsed.status, reason: parsed.reason }, 'malformed review');
      sendJson(res, parsed.status, { error: parsed.reason });
      return;
    }
    const request = parsed.request;
    let decision: Decision;
    if (now() - started > deps.deadlineMs) {
      decision = undecided(
        request,
        deps.failOpen,
        `deadline of ${deps.deadlineMs} ms passed before evaluation`,
      );
    } else {
      decision = decide(webhook, request, deps);
      // An answer past the deadline reaches an API server that has given up (or worse, one that has
      // not): what was decided too late is answered in the failure mode, like what was never decided.
      const elapsed = now() - started;
      if (elapsed > deps.deadlineMs && decision.skipped === undefined)
        decision = undecided(
          request,
          deps.failOpen,
          `evaluation took ${Math.round(elapsed)} ms, past the deadline of ${deps.deadlineMs} ms`,
        );
    }
    sendJson(res, 200, reviewOf(decision.response));
    const seconds = (now() - started) / 1000;
    recordDecision({ webhook, request, decision, seconds, metrics: deps.metrics, logger: deps.logger });
    if (request.dryRun !== true) deps.onDecision?.(webhook, request, decision);
  };
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

interface HttpError {
  status?: number;
  message?: string;
}

/** A body Berth cannot read as a review (or a request express could not read) gets a 4xx and why. */
function refuse(
  deps: WebhookDeps,
  err: BodyError | HttpError,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const status = err.status !== undefined && err.status >= 400 && err.status < 500 ? err.status : 400;
  const reason =
    err instanceof BodyError
      ? err.reason
      : `the request could not be read: ${err.message ?? 'unknown error'}`;
  deps.metrics.rejectedReviews.inc({ status: String(status) });
  deps.logger.warn({ status, reason }, 'malformed review');
  if (err instanceof BodyError && err.close) {
    // The rest of the body was never read: this connection cannot carry another request.
    res.setHeader('Connection', 'close');
    res.once('finish', () => {
      setImmediate(() => req.socket.destroy());
    });
  }
  sendJson(res, status, { error: reason });
}

function expressErrors(deps: WebhookDeps) {
  return (err: HttpError, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) next(err);
    else refuse(deps, err, req, res);
  };
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

/** The probes and the 404 for every path but the webhooks', on express. */
function otherRoutes(deps: WebhookDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    const { ready, text } = renderChecks(deps.checks());
    res
      .status(ready ? 200 : 503)
      .type('text/plain')
      .send(text);
  });
  app.use((_req, res) => {
    res
      .status(404)
      .json({ error: 'not found: the webhook serves POST /mutate, POST /validate and POST /gate' });
  });
  app.use(expressErrors(deps));
  return app;
}

/**
 * The webhooks' requests are answered here, before express: the media type, then the body (charset,
 * encoding, size, deadline), then the review. express gives every request and response its own
 * prototypes, which leaves Node's HTTP code polymorphic on the hot path: through express the webhook
 * server spent ~270 µs of CPU per review, as the bare express handler does; answered here, ~145 µs
 * (bench:webhook, 50 connections). The probes and every other path go on to express.
 */
export function createApp(deps: WebhookDeps): WebhookListener {
  const others = otherRoutes(deps);
  const now = deps.now ?? (() => performance.now());
  const handlers = {
    mutate: handler('mutate', deps),
    validate: handler('validate', deps),
    gate: handler('gate', deps),
  };
  return (req, res) => {
    const webhook = req.method === 'POST' && req.url !== undefined ? webhookOf(req.url) : undefined;
    if (webhook === undefined) {
      others(req, res);
      return;
    }
    const started = now();
    if (!isJsonMediaType(req.headers['content-type'])) {
      sendJson(res, 415, { error: 'Content-Type must be application/json' });
      return;
    }
    readJsonBody(
      req,
      MAX_BODY_BYTES,
      deps.deadlineMs,
      () => now() - started,
      (err, body) => {
        if (err) refuse(deps, err, req, res);
        else handlers[webhook](body, res, started);
      },
    );
  };
}
