/**
 * The background scan's pure half: which existing objects are judged, their results in one namespace
 * (an object the engine cannot evaluate is an `error` result, never a failed scan), timestamps kept
 * for findings that did not change, and which report documents differ from what is written.
 */
import { judgeExisting, type AdmissionContext } from '../admission/admit.js';
import type { KubeObject } from '../kube/objects.js';
import { isWorkloadKind } from '../kube/workload.js';
import {
  evaluationError,
  MAX_REPORT_BYTES,
  reportsOf,
  resultsOf,
  type PolicyReport,
  type ReportResult,
} from './policy-report.js';

/**
 * Whether the scan reports on this object itself. A ReplicaSet a Deployment controls, the Pods of a
 * ReplicaSet, Job, StatefulSet or DaemonSet, the Jobs of a CronJob: their owner's results already say
 * it (as Kyverno's auto-generated rules do). An object controlled by anything else (an operator's
 * custom resource, a Node for mirror pods) is judged itself.
 */
export function judgedItself(obj: KubeObject): boolean {
  const owner = obj.metadata?.ownerReferences?.find((o) => o.controller === true);
  return owner === undefined || !isWorkloadKind(owner.kind);
}

/** One object's results: the engine's verdict as report results, or an `error` with the reason. */
export function objectResults(
  obj: KubeObject,
  namespace: string,
  ctx: AdmissionContext,
  at: { seconds: number },
): ReportResult[] {
  try {
    return resultsOf(judgeExisting(obj, namespace, ctx), obj, at);
  } catch (e) {
    return [evaluationError(obj, namespace, e instanceof Error ? e.message : String(e), at)];
  }
}

const objectRule = (r: ReportResult) => {
  const res = r.resources[0];
  return `${res?.uid ?? `${res?.kind ?? ''}/${res?.name ?? ''}`}\u0000${r.rule}`;
};

/** A result that says what the written one said keeps its timestamp: when it was first found so. */
function keepTimestamps(results: ReportResult[], previous: readonly PolicyReport[]): void {
  if (previous.length === 0) return;
  const seen = new Map<string, ReportResult>();
  for (const report of previous) for (const r of report.results) seen.set(objectRule(r), r);
  for (const r of results) {
    const old = seen.get(objectRule(r));
    if (old && old.result === r.result && old.message === r.message) r.timestamp = old.timestamp;
  }
}

export interface ScanAt {
  /** The time of this pass: new findings' timestamp. */
  at: { seconds: number };
  /** What is written for the namespace: it only lends timestamps to unchanged findings. */
  previous?: readonly PolicyReport[];
  maxBytes?: number;
}

/** The reports of one namespace (`''`: cluster-scoped objects) from its objects, judged now. */
export function namespaceReports(
  namespace: string,
  objects: readonly KubeObject[],
  ctx: AdmissionContext,
  scan: ScanAt,
): PolicyReport[] {
  const results = objects.filter(judgedItself).flatMap((o) => objectResults(o, namespace, ctx, scan.at));
  return reportsFromResults(namespace, results, scan);
}

/** The documents for one namespace's results (judged by the caller, a slice at a time). */
export function reportsFromResults(
  namespace: string,
  results: ReportResult[],
  { previous = [], maxBytes = MAX_REPORT_BYTES }: Omit<ScanAt, 'at'>,
): PolicyReport[] {
  if (results.length === 0) return [];
  keepTimestamps(results, previous);
  return reportsOf(namespace === '' ? undefined : namespace, results, maxBytes);
}

const RESOURCE_FIELDS = ['uid', 'name', 'kind', 'namespace', 'apiVersion'] as const;

function sameResource(a: ReportResult['resources'], b: ReportResult['resources']): boolean {
  if (a.length !== b.length) return false;
  const x = a[0];
  const y = b[0];
  return RESOURCE_FIELDS.every((f) => x?.[f] === y?.[f]);
}

/** Field by field: a scan compares a result per object and rule on every pass. */
function sameResult(a: ReportResult, b: ReportResult): boolean {
  return (
    a.rule === b.rule &&
    a.result === b.result &&
    a.message === b.message &&
    a.severity === b.severity &&
    a.category === b.category &&
    a.policy === b.policy &&
    a.timestamp.seconds === b.timestamp.seconds &&
    a.properties?.mode === b.properties?.mode &&
    sameResource(a.resources, b.resources)
  );
}

/** Whether a reader would see the same document (the server's metadata aside). */
function sameReport(a: PolicyReport, b: PolicyReport): boolean {
  if (a.results.length !== b.results.length) return false;
  if (JSON.stringify(a.metadata.labels) !== JSON.stringify(b.metadata.labels)) return false;
  for (const k of ['pass', 'fail', 'warn', 'error', 'skip'] as const)
    if (a.summary[k] !== b.summary[k]) return false;
  return a.results.every((r, i) => {
    const other = b.results[i];
    return other !== undefined && sameResult(r, other);
  });
}

export interface ReportChanges {
  /** Documents to write (new or different). */
  apply: PolicyReport[];
  /** Written documents no longer produced (a namespace's findings gone, a split that shrank). */
  remove: PolicyReport[];
}

/** The writes that bring `written` to `next`: none when nothing a reader sees changed. */
export function changesOf(next: readonly PolicyReport[], written: readonly PolicyReport[]): ReportChanges {
  const old = new Map(written.map((r) => [`${r.kind}/${r.metadata.name}`, r]));
  const apply = next.filter((r) => {
    const w = old.get(`${r.kind}/${r.metadata.name}`);
    return w === undefined || !sameReport(w, r);
  });
  const names = new Set(next.map((r) => `${r.kind}/${r.metadata.name}`));
  const remove = written.filter((r) => !names.has(`${r.kind}/${r.metadata.name}`));
  return { apply, remove };
}
