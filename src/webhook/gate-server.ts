/**
 * The scheduling gate's own server (`berth serve --gate-port`), answering POST /gate only, on a thread
 * of its own (gate-worker.ts). Its answer needs nothing but whether gates are on, so it need not wait
 * for the thread that runs the leader's rounds, caches and writes: in the cluster-scale bench that
 * thread's event loop stalled up to 1.65 s in a 10,000-pod scale-out (9.6 s in the scale-in), every
 * gate review waited behind it, and one past the webhook's 2 s timeout created its pod ungated. What
 * it decided goes to the main thread as plain lines, to be logged and counted there (record.ts).
 */
import { gate } from '../admission/gate.js';
import { reviewListener, sendJson, withinDeadline, type WebhookListener } from './flow.js';
import { decisionLine, type DecisionLine } from './record.js';

/** The gate's thread's name for the OS (`top -H`, /proc/<pid>/task/<tid>/comm). */
export const GATE_THREAD_NAME = 'berth-gate';

/** A body the gate could not read as a review, and the 4xx it got. */
export interface GateRefusal {
  status: number;
  reason: string;
}

/** From the main thread: whether new pods are gated (the Lease holder's word), or stop. */
export type ToGate = { type: 'on'; on: boolean } | { type: 'close' };

/** To the main thread. */
export type FromGate =
  | { type: 'listening'; port: number }
  | { type: 'failed'; error: string }
  | {
      type: 'batch';
      lines: DecisionLine[];
      refusals: GateRefusal[];
      connections: number;
      /** Seconds the thread's event loop was busy since the last batch. */
      busySeconds: number;
    }
  | { type: 'tls'; ok: true; notAfter: string }
  | { type: 'tls'; ok: false; error: string }
  | { type: 'closed' };

/** What the thread starts with (workerData). */
export interface GateThreadData {
  host: string;
  port: number;
  tls: { cert: string; key: string };
  deadlineMs: number;
  on: boolean;
  tlsPollMs?: number;
  http2?: boolean;
}

export interface GateListenerDeps {
  on(): boolean;
  deadlineMs: number;
  now(): number;
  answered(line: DecisionLine): void;
  refused(r: GateRefusal): void;
}

/**
 * POST /gate: the gate's decision, always allowed (a review past the deadline is allowed ungated, as
 * the webhook's failurePolicy Ignore would have it). GET /healthz: ok. Anything else: 404.
 */
export function gateListener(d: GateListenerDeps): WebhookListener {
  return reviewListener({
    webhooks: new Set(['gate']),
    deadlineMs: d.deadlineMs,
    now: () => d.now(),
    decide: (_webhook, request, started) =>
      withinDeadline(
        request,
        { deadlineMs: d.deadlineMs, failOpen: true, elapsed: () => d.now() - started },
        () => gate(request, d.on()),
      ),
    answered: (webhook, request, decision, seconds) => {
      d.answered(decisionLine(webhook, request, decision, seconds));
    },
    refused: (_webhook, status, reason) => {
      d.refused({ status, reason });
    },
    others: (req, res) => {
      if (req.method === 'GET' && req.url === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
        return;
      }
      sendJson(res, 404, { error: 'not found: this port serves POST /gate (the scheduling gate) only' });
    },
  });
}
