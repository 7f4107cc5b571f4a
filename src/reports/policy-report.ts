/**
 * PolicyReports (wgpolicyk8s.io/v1alpha2) from verdicts: one `PolicyReport` per namespace and a
 * `ClusterPolicyReport` for cluster-scoped objects, with a result per object and rule in every mode, so
 * a platform team sees what an `enforce` would break before switching it on. Pure: the same documents
 * come from `berth check -o policyreport` and from the leader's background scan.
 */
import type { KubeObject } from '../kube/objects.js';
import type { Verdict } from '../policies/engine.js';
import type { FindingRule } from '../policies/rules/ids.js';
import { categoryOf } from '../policies/rules/catalogue.js';

export const REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';
export const REPORT_NAME = 'berth';
/** Below etcd's 1.5 MiB object limit, with room for metadata. */
export const MAX_REPORT_BYTES = 1_400_000;

export type ReportResultValue = 'pass' | 'fail' | 'warn' | 'error' | 'skip';
/** The rule of an `error` result for an object the engine could not evaluate at all. */
export const EVALUATION_RULE = 'evaluation';

export interface ReportResult {
  /** `berth` in Berth's results (a report read from elsewhere may hold other tools'). */
  policy: string;
  rule: FindingRule | typeof EVALUATION_RULE;
  result: ReportResultValue;
  severity?: 'high' | 'medium' | 'low' | 'info';
  category: string;
  message?: string;
  resources: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string }[];
  timestamp: { seconds: number; nanos: number };
  source: 'berth';
  scored: true;
  /** `mode`: the mode the rule ran in for this object (enforce, warn, audit). */
  properties?: Record<string, string>;
}

export interface PolicyReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  summary: Record<ReportResultValue, number>;
  results: ReportResult[];
}

const SEVERITY = { enforce: 'high', warn: 'medium', audit: 'low' } as const;

function resourceOf(v: Verdict, obj: KubeObject | undefined): ReportResult['resources'][number] {
  return {
    apiVersion: obj?.apiVersion ?? '',
    kind: v.kind,
    ...(v.namespace !== '' ? { namespace: v.namespace } : {}),
    name: v.name,
    ...(obj?.metadata?.uid !== undefined ? { uid: obj.metadata.uid } : {}),
  };
}

/** Shared, never mutated: a scan holds a result per object and rule, so each one costs little. */
const MODE_PROPERTIES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  enforce: { mode: 'enforce' },
  warn: { mode: 'warn' },
  audit: { mode: 'audit' },
};

interface Shared {
  resources: ReportResult['resources'];
  timestamp: ReportResult['timestamp'];
}

function result(
  shared: Shared,
  rule: FindingRule,
  mode: string,
  what: Pick<ReportResult, 'result' | 'message' | 'severity'>,
): ReportResult {
  return {
    policy: 'berth',
    rule,
    result: what.result,
    ...(what.severity !== undefined ? { severity: what.severity } : {}),
    category: categoryOf(rule),
    ...(what.message !== undefined ? { message: what.message } : {}),
    resources: shared.resources,
    timestamp: shared.timestamp,
    source: 'berth',
    scored: true,
    properties: MODE_PROPERTIES[mode] ?? { mode },
  };
}

/** One verdict's results: a finding per violation, exemption or error, and `pass` for each rule without. */
export function resultsOf(v: Verdict, obj: KubeObject | undefined, at: { seconds: number }): ReportResult[] {
  if (v.skipped !== undefined || !v.rules || v.rules.length === 0) return [];
  const shared: Shared = { resources: [resourceOf(v, obj)], timestamp: { seconds: at.seconds, nanos: 0 } };
  const modes = new Map<FindingRule, string>(v.rules.map((r) => [r.id, r.mode]));
  const modeOf = (rule: FindingRule) => modes.get(rule) ?? 'enforce';
  const out: ReportResult[] = [];
  for (const x of v.violations)
    out.push(
      result(shared, x.rule, x.mode, {
        result: x.mode === 'warn' ? 'warn' : 'fail',
        severity: SEVERITY[x.mode],
        message: x.message,
      }),
    );
  for (const e of v.exempted)
    out.push(result(shared, e.rule, modeOf(e.rule), { result: 'skip', message: `exempted: ${e.reason}` }));
  for (const e of v.errors)
    out.push(result(shared, e.rule, modeOf(e.rule), { result: 'error', message: e.message }));
  const said = new Set(out.map((r) => r.rule));
  for (const { id, mode } of v.rules)
    if (!said.has(id)) out.push(result(shared, id, mode, { result: 'pass' }));
  return out;
}

/** The one result for an object the engine could not evaluate: `error`, with the reason. */
export function evaluationError(
  obj: KubeObject,
  namespace: string,
  reason: string,
  at: { seconds: number },
): ReportResult {
  return {
    policy: 'berth',
    rule: EVALUATION_RULE,
    result: 'error',
    category: 'Berth',
    message: `not evaluated: ${reason}`,
    resources: [
      {
        apiVersion: obj.apiVersion ?? '',
        kind: obj.kind ?? '',
        ...(namespace !== '' ? { namespace } : {}),
        name: obj.metadata?.name ?? '',
        ...(obj.metadata?.uid !== undefined ? { uid: obj.metadata.uid } : {}),
      },
    ],
    timestamp: { seconds: at.seconds, nanos: 0 },
    source: 'berth',
    scored: true,
  };
}

function summaryOf(results: readonly ReportResult[]): Record<ReportResultValue, number> {
  const s: Record<ReportResultValue, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) s[r.result] += 1;
  return s;
}

function report(namespace: string | undefined, name: string, results: ReportResult[]): PolicyReport {
  return {
    apiVersion: REPORT_API_VERSION,
    kind: namespace === undefined ? 'ClusterPolicyReport' : 'PolicyReport',
    metadata: {
      name,
      ...(namespace !== undefined ? { namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'berth' },
    },
    summary: summaryOf(results),
    results,
  };
}

/** Results in reports that each stay under `maxBytes` once serialized (`berth`, `berth-2`, …). */
function split(namespace: string | undefined, results: ReportResult[], maxBytes: number): PolicyReport[] {
  // Most namespaces fit in one document: measured once, not result by result.
  if (Buffer.byteLength(JSON.stringify(results)) <= maxBytes)
    return [report(namespace, REPORT_NAME, results)];
  const out: PolicyReport[] = [];
  let chunk: ReportResult[] = [];
  let size = 0;
  for (const r of results) {
    const bytes = Buffer.byteLength(JSON.stringify(r)) + 1;
    if (chunk.length > 0 && size + bytes > maxBytes) {
      out.push(report(namespace, out.length === 0 ? REPORT_NAME : `${REPORT_NAME}-${out.length + 1}`, chunk));
      chunk = [];
      size = 0;
    }
    chunk.push(r);
    size += bytes;
  }
  if (chunk.length > 0 || out.length === 0)
    out.push(report(namespace, out.length === 0 ? REPORT_NAME : `${REPORT_NAME}-${out.length + 1}`, chunk));
  return out;
}

const resultKey = (r: ReportResult) =>
  `${r.resources[0]?.kind ?? ''}/${r.resources[0]?.name ?? ''}/${r.rule}`;

/**
 * One namespace's reports (`undefined`: the ClusterPolicyReport), results ordered by object then rule
 * so equal inputs give equal documents, split where one would pass `maxBytes`.
 */
export function reportsOf(
  namespace: string | undefined,
  results: ReportResult[],
  maxBytes = MAX_REPORT_BYTES,
): PolicyReport[] {
  const sorted = results
    .map((r) => ({ r, k: resultKey(r) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.r);
  return split(namespace, sorted, maxBytes);
}

/**
 * The reports for a set of verdicts (and the objects they judge, for apiVersion and uid): one per
 * namespace with results; cluster-scoped objects in a ClusterPolicyReport.
 */
export function buildReports(
  verdicts: readonly Verdict[],
  objects: readonly (KubeObject | undefined)[],
  at: { seconds: number },
  maxBytes = MAX_REPORT_BYTES,
): PolicyReport[] {
  const byNamespace = new Map<string, ReportResult[]>();
  verdicts.forEach((v, i) => {
    const results = resultsOf(v, objects[i], at);
    if (results.length === 0) return;
    const list = byNamespace.get(v.namespace) ?? [];
    list.push(...results);
    byNamespace.set(v.namespace, list);
  });
  return [...byNamespace.keys()]
    .sort()
    .flatMap((ns) => reportsOf(ns === '' ? undefined : ns, byNamespace.get(ns) ?? [], maxBytes));
}
