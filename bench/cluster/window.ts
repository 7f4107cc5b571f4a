/**
 * What else the API server did while the burst's pods were being created (bench:cluster logs it after
 * each scale-out): the writes its audit log holds that were made between the first workload pod's
 * creation and the 99th percentile's, by kind, with the API server's own time for each. A webhook slows only
 * the creations it is called for; writes that no webhook sees (DaemonSet pods, Bindings, the
 * provisioner's NodeClaims and Nodes) slow down alike only when the API server itself is busy.
 */
import { readFileSync } from 'node:fs';
import { NAMESPACE } from '../../test/support/perf-workloads.js';
import { quantile } from './report.js';

interface AuditEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string };
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

/** The kinds of write the line tells apart, in its order. */
export const WINDOW_KINDS = [
  'workload pod creations',
  'DaemonSet pod creations',
  'bindings',
  "the provisioner's writes",
] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

/** The creation window (ms since the epoch) and the seconds each write within it took, by kind. */
export interface CreationWindow {
  from: number;
  to: number;
  seconds: Map<WindowKind, number[]>;
}

/** The share of the workload's creations the window runs to. */
const WINDOW_QUANTILE = 0.99;

const WRITES = new Set(['create', 'update', 'patch', 'delete']);

/** The kind of write an audit event is, or undefined for a read or one the line leaves out. */
export function windowKind(e: AuditEvent): WindowKind | undefined {
  const o = e.objectRef ?? {};
  if (e.verb === undefined || !WRITES.has(e.verb)) return undefined;
  if (e.verb === 'create' && o.resource === 'pods' && o.subresource === undefined)
    // The audit policy logs the bench's users' requests and every pod creation: outside the workload's
    // namespace, those are the DaemonSets'.
    return o.namespace === NAMESPACE ? 'workload pod creations' : 'DaemonSet pod creations';
  if (o.resource === 'pods' && o.subresource === 'binding') return 'bindings';
  return e.user?.username === 'controller' ? "the provisioner's writes" : undefined;
}

/**
 * The window from the first workload pod creation received to the completion of 99% of them, among
 * those completed between `from` and `to` (ms since the epoch), and every write made within it.
 */
export function creationWindow(file: string, from: number, to: number): CreationWindow | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const events: { kind: WindowKind; received: number; done: number }[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as AuditEvent;
    const kind = e.stage === undefined || e.stage === 'ResponseComplete' ? windowKind(e) : undefined;
    if (kind === undefined) continue;
    const received = Date.parse(e.requestReceivedTimestamp ?? '');
    const done = Date.parse(e.stageTimestamp ?? '');
    if (done >= from && done <= to) events.push({ kind, received, done });
  }
  const workload = events.filter((e) => e.kind === 'workload pod creations');
  if (workload.length === 0) return undefined;
  const window = {
    from: Math.min(...workload.map((e) => e.received)),
    // Up to the 99th percentile's completion: a pod made again later (one evicted or replaced) would
    // stretch the window over the rest of the step.
    to: quantile(
      workload.map((e) => e.done),
      WINDOW_QUANTILE,
    ) as number,
    seconds: new Map<WindowKind, number[]>(),
  };
  for (const e of events) {
    if (e.received < window.from || e.done > window.to) continue;
    const list = window.seconds.get(e.kind) ?? [];
    list.push(Math.max(0, e.done - e.received) / 1000);
    window.seconds.set(e.kind, list);
  }
  return window;
}

/** The window as one log line: each kind's count and p50 / p90 in ms. */
export function windowLine(w: CreationWindow | undefined): string {
  if (!w) return 'the creation window: no workload pod creations in the audit log';
  const ms = (xs: number[], q: number) => ((quantile(xs, q) ?? 0) * 1000).toFixed(1);
  const kinds = WINDOW_KINDS.flatMap((k) => {
    const xs = w.seconds.get(k) ?? [];
    return xs.length === 0 ? [] : [`${k} ${String(xs.length)}× p50 ${ms(xs, 0.5)} / p90 ${ms(xs, 0.9)} ms`];
  });
  return (
    `the API server's writes while the workload's pods were created (${((w.to - w.from) / 1000).toFixed(1)} s): ` +
    kinds.join('; ')
  );
}
