/**
 * The admission webhook's HTTP surface, transport only (the decisions are src/admission's): express
 * routes that parse an AdmissionReview, call mutate or validate, and answer; a body that is not a
 * review gets a 4xx with the reason. Never a 5xx: an internal failure becomes an answer in the
 * configured failure mode.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { AdmissionContext, Decision } from '../admission/admit.js';
import { mutate, validate } from '../admission/admit.js';
import { parseReview, reviewOf, type AdmissionRequest, type AdmissionResponse } from '../admission/review.js';
import type { Metrics } from '../observability/metrics.js';
import { BodyError, jsonBody } from './body.js';
import { renderChecks, type Check } from './readiness.js';
import { recordDecision } from './record.js';

/** An UPDATE review carries the object and its old version, each up to the API server's 3 MiB. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export type Webhook = 'mutate' | 'validate';

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
};

function undecided(req: AdmissionRequest, failOpen: boolean, why: string): Decision {
  const message = `berth could not review this request (${why})`;
  const response: AdmissionResponse = failOpen
    ? { uid: req.uid, allowed: true, warnings: [`${message}; admitted unchecked`.slice(0, 119)] }
    : { uid: req.uid, allowed: false, status: { code: 503, reason: 'ServiceUnavailable', message } };
  return { response, skipped: why };
}

function handler(webhook: Webhook, deps: WebhookDeps) {
  const now = deps.now ?? (() => performance.now());
  return (req: Request, res: Response): void => {
    const started = (res.locals.started as number | undefined) ?? now();
    const parsed = parseReview(req.body);
    if (!parsed.ok) {
      deps.metrics.rejectedReviews.inc({ status: String(parsed.status) });
      deps.logger.warn({ webhook, status: parsed.status, reason: parsed.reason }, 'malformed review');
      res.status(parsed.status).json({ error: parsed.reason });
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
      try {
        decision = DECIDE[webhook](request, deps.context());
      } catch (e) {
        deps.logger.error({ err: e, uid: request.uid }, 'review failed');
        decision = undecided(request, deps.failOpen, `internal error: ${(e as Error).message}`);
      }
    }
    res.json(reviewOf(decision.response));
    const seconds = (now() - started) / 1000;
    recordDecision({ webhook, request, decision, seconds, metrics: deps.metrics, logger: deps.logger });
    if (request.dryRun !== true) deps.onDecision?.(webhook, request, decision);
  };
}

/** Notes when the review arrived (for the deadline) and refuses a body that is not JSON. */
function arrival(now: () => number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.locals.started = now();
    requireJson(req, res, next);
  };
}

function requireJson(req: Request, res: Response, next: NextFunction): void {
  // A plain prefix test: type-is's full media-type parse cost ~3% of throughput here.
  const type = req.headers['content-type']?.toLowerCase() ?? '';
  if (!type.startsWith('application/json')) {
    res.status(415).json({ error: 'Content-Type must be application/json' });
    return;
  }
  next();
}

interface HttpError {
  status?: number;
  message?: string;
}

/** A body Berth cannot read as a review (or a request express could not route) gets a 4xx and why. */
function bodyErrors(deps: WebhookDeps) {
  return (err: BodyError | HttpError, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = err.status !== undefined && err.status >= 400 && err.status < 500 ? err.status : 400;
    const reason =
      err instanceof BodyError
        ? err.reason
        : `the request could not be read: ${err.message ?? 'unknown error'}`;
    deps.metrics.rejectedReviews.inc({ status: String(status) });
    deps.logger.warn({ status, reason }, 'malformed review');
    res.status(status).json({ error: reason });
  };
}

/**
 * Which webhook a request the route matched is for. The route matches /mutate and /validate in any
 * case, so the second character tells them apart (req.path would parse the URL again).
 */
function isMutate(url: string): boolean {
  return (url.charCodeAt(1) | 0x20) === 0x6d; // 'm' or 'M'
}

export function createApp(deps: WebhookDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Reviews are never cached: no ETag hashing of every answer.
  app.disable('etag');
  const now = deps.now ?? (() => performance.now());
  // requireJson checks the media type; the reader the charset, the encoding and the size.
  const json = jsonBody(MAX_BODY_BYTES);
  // One route for both webhooks: every review passes one router layer, as in a bare express app.
  const handlers = { mutate: handler('mutate', deps), validate: handler('validate', deps) };
  app.post(['/mutate', '/validate'], arrival(now), json, (req, res) => {
    (isMutate(req.url) ? handlers.mutate : handlers.validate)(req, res);
  });
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
    res.status(404).json({ error: 'not found: the webhook serves POST /mutate and POST /validate' });
  });
  app.use(bodyErrors(deps));
  return app;
}
