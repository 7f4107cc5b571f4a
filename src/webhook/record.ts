/** One log line and the metrics for each answered review. */
import type { Logger } from 'pino';
import type { Decision } from '../admission/admit.js';
import type { AdmissionRequest } from '../admission/review.js';
import type { Metrics } from '../observability/metrics.js';
import type { Webhook } from './flow.js';

export interface DecisionRecord {
  webhook: Webhook;
  request: AdmissionRequest;
  decision: Decision;
  seconds: number;
  metrics: Metrics;
  logger: Logger;
}

/**
 * The log line of one answered review, which also carries what its metrics need. Plain data: the
 * scheduling gate's thread sends its lines to the main thread, which logs and counts them.
 */
export interface DecisionLine {
  uid: string;
  webhook: Webhook;
  operation: string;
  kind: string;
  namespace: string | undefined;
  name: string | undefined;
  allowed: boolean;
  verdict: string;
  dryRun?: true;
  violations?: { rule: string; mode: string; message: string }[];
  skipped?: string;
  patchOps?: number;
  ms: number;
}

function verdictLabel(d: Decision): string {
  if (!d.response.allowed) return d.verdict ? 'denied' : 'error';
  if (d.skipped !== undefined) return 'skipped';
  return (d.response.warnings?.length ?? 0) > 0 ? 'warned' : 'allowed';
}

export function decisionLine(
  webhook: Webhook,
  request: AdmissionRequest,
  decision: Decision,
  seconds: number,
): DecisionLine {
  const violations = decision.verdict?.violations ?? [];
  // Built key by key: spreading into a literal and adding keys after is slow in V8 (Node 20).
  const line: DecisionLine = {
    uid: request.uid,
    webhook,
    operation: request.operation,
    kind: request.kind.kind,
    namespace: request.namespace,
    name: request.name ?? request.object?.metadata?.name ?? request.object?.metadata?.generateName,
    allowed: decision.response.allowed,
    verdict: verdictLabel(decision),
    ms: 0,
  };
  // Keys that are usually empty appear only when they say something: the line is serialized per review.
  if (request.dryRun === true) line.dryRun = true;
  if (violations.length > 0)
    line.violations = violations.map((v) => ({ rule: v.rule, mode: v.mode, message: v.message }));
  if (decision.skipped !== undefined) line.skipped = decision.skipped;
  if (decision.patchOps !== undefined) line.patchOps = decision.patchOps;
  line.ms = Math.round(seconds * 100_000) / 100;
  return line;
}

/** Counts the review in the metrics and logs its line. */
export function recordLine(line: DecisionLine, metrics: Metrics, logger: Logger): void {
  const { webhook, operation, kind, verdict } = line;
  metrics.reviews.inc({ webhook, operation, kind, verdict });
  metrics.latency.observe({ webhook }, line.ms / 1000);
  for (const v of line.violations ?? []) metrics.violations.inc({ rule: v.rule, mode: v.mode, kind });
  logger.info(line, 'decision');
}

/** Counts and logs a body that could not be read as a review, answered with a 4xx (`status`). */
export function recordRefusal(
  webhook: Webhook | undefined,
  status: number,
  reason: string,
  metrics: Metrics,
  logger: Logger,
): void {
  metrics.rejectedReviews.inc({ status: String(status) });
  logger.warn({ webhook, status, reason }, 'malformed review');
}

export function recordDecision(r: DecisionRecord): void {
  recordLine(decisionLine(r.webhook, r.request, r.decision, r.seconds), r.metrics, r.logger);
}
