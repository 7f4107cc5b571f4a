/**
 * PolicyReports (wgpolicyk8s.io/v1alpha2) from verdicts: one `PolicyReport` per namespace and a
 * `ClusterPolicyReport` for cluster-scoped objects, with a result per object and rule in every mode, so
 * a platform team sees what an `enforce` would break before switching it on. Pure: the same documents
 * come from `berth check -o policyreport` and from the leader's background scan.
 */
import type { KubeObject } from '../kube/objects.js';
import type { Verdict } from '../policies/engine.js';
import type { RuleId } from '../policies/rules/ids.js';
import { categoryOf } from '../policies/rules/catalogue.js';

export const REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';
export const REPORT_NAME = 'berth';
/** Below etcd's 1.5 MiB object limit, with room for metadata. */
export const MAX_REPORT_BYTES = 1_400_000;

export type ReportResultValue = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface ReportResult {
  policy: 'berth';
  rule: RuleId;
  result: ReportResultValue;
  severity?: 'high' | 'medium' | 'low' | 'info';
  category: string;
  message?: string;
  resources: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string }[];
  timestamp: { seconds: number; nanos: number };
  source: 'berth';
  scored: true;
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

/** One verdict's results: a finding per violation, exemption or error, and `pass` for each rule without. */
export function resultsOf(v: Verdict, obj: KubeObject | undefined, at: { seconds: number }): ReportResult[] {
  if (v.skipped !== undefined || !v.rules || v.rules.length === 0) return [];
  const resource = resourceOf(v, obj);
  const base = (rule: RuleId) => ({
    policy: 'berth' as const,
    rule,
    category: categoryOf(rule),
    resources: [resource],
    timestamp: { seconds: at.seconds, nanos: 0 },
    source: 'berth' as const,
    scored: true as const,
  });
  const out: ReportResult[] = [
    ...v.violations.map((x) => ({
      ...base(x.rule),
      result: x.mode === 'warn' ? ('warn' as const) : ('fail' as const),
      severity: SEVERITY[x.mode],
      message: x.message,
      properties: { mode: x.mode },
    })),
    ...v.exempted.map((e) => ({
      ...base(e.rule),
      result: 'skip' as const,
      message: `exempted: ${e.reason}`,
    })),
    ...v.errors.map((e) => ({ ...base(e.rule), result: 'error' as const, message: e.message })),
  ];
  const said = new Set(out.map((r) => r.rule));
  for (const rule of v.rules) if (!said.has(rule)) out.push({ ...base(rule), result: 'pass' });
  return out;
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

/**
 * The reports for a set of verdicts (and the objects they judge, for apiVersion and uid): one per
 * namespace with results, split where one would pass `maxBytes`; cluster-scoped objects in a
 * ClusterPolicyReport. Results are ordered by object, then rule, so equal inputs give equal documents.
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
  const key = (r: ReportResult) => `${r.resources[0]?.kind ?? ''}/${r.resources[0]?.name ?? ''}/${r.rule}`;
  const out: PolicyReport[] = [];
  for (const ns of [...byNamespace.keys()].sort()) {
    const results = (byNamespace.get(ns) ?? []).sort((a, b) => key(a).localeCompare(key(b)));
    out.push(...split(ns === '' ? undefined : ns, results, maxBytes));
  }
  return out;
}
