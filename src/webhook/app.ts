/**
 * The main webhook server's HTTP surface, transport only (the decisions are src/admission's): POST
 * /mutate, /validate and /gate parse an AdmissionReview, call mutate, validate or gate, and answer
 * (flow.ts); a body that is not a review gets a 4xx with the reason. Never a 5xx: an internal failure
 * becomes an answer in the configured failure mode. Every other request (probes, 404s) goes to an
 * express app.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AdmissionContext, Decision } from '../admission/admit.js';
import { mutate, validate } from '../admission/admit.js';
import { gate } from '../admission/gate.js';
import type { AdmissionRequest } from '../admission/review.js';
import type { Metrics } from '../observability/metrics.js';
import { EvaluationBudgetError } from '../scheduling/placement.js';
import {
  reviewListener,
  sendJson,
  undecided,
  withinDeadline,
  type Webhook,
  type WebhookListener,
} from './flow.js';
import { renderChecks, type Check } from './readiness.js';
import { recordDecision, recordRefusal } from './record.js';

export {
  MAX_BODY_BYTES,
  isJsonMediaType,
  sendJson,
  webhookOf,
  type Webhook,
  type WebhookListener,
} from './flow.js';

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

const ALL: ReadonlySet<Webhook> = new Set(['mutate', 'validate', 'gate']);

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

interface HttpError {
  status?: number;
  message?: string;
}

/** A request express could not read gets a 4xx and why. */
function expressErrors(deps: WebhookDeps) {
  return (err: HttpError, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = err.status !== undefined && err.status >= 400 && err.status < 500 ? err.status : 400;
    const reason = `the request could not be read: ${err.message ?? 'unknown error'}`;
    recordRefusal(undefined, status, reason, deps.metrics, deps.logger);
    sendJson(res, status, { error: reason });
  };
}

/** The probes and the 404 for every path but the webhooks', on express. */
function otherRoutes(deps: WebhookDeps): (req: IncomingMessage, res: ServerResponse) => void {
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

export function createApp(deps: WebhookDeps): WebhookListener {
  const now = deps.now ?? (() => performance.now());
  return reviewListener({
    webhooks: ALL,
    deadlineMs: deps.deadlineMs,
    now,
    decide: (webhook, request, started) =>
      withinDeadline(
        request,
        { deadlineMs: deps.deadlineMs, failOpen: deps.failOpen, elapsed: () => now() - started },
        () => decide(webhook, request, deps),
      ),
    answered: (webhook, request, decision, seconds) => {
      recordDecision({ webhook, request, decision, seconds, metrics: deps.metrics, logger: deps.logger });
      if (request.dryRun !== true) deps.onDecision?.(webhook, request, decision);
    },
    refused: (webhook, status, reason) => {
      recordRefusal(webhook, status, reason, deps.metrics, deps.logger);
    },
    others: otherRoutes(deps),
  });
}
