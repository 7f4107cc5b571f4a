/**
 * `berth report`: what Berth's PolicyReports say, per rule — its mode, how many objects fail it and in
 * which namespaces: what switching it to `enforce` would deny the next time those objects are applied.
 * Reads the reports from the cluster (the background scan's) or from files (`berth check -o policyreport`).
 */
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { loadKubeConfig } from '../kube/client.js';
import { REPORT_API_VERSION, type PolicyReport } from '../reports/policy-report.js';
import { ApiReportStore } from '../reports/store.js';
import { resourceId, summarize, type RuleRow } from '../reports/summary.js';
import { BadInput } from '../inputs/bad-input.js';
import { loadObjects } from '../inputs/objects.js';
import type { CliIO } from '../util/io.js';

export interface ReportOpts {
  file?: string[];
  kubeconfig?: string;
  namespace?: string;
  output: string;
}

const REPORT_KINDS = new Set(['PolicyReport', 'ClusterPolicyReport']);

function fromFiles(paths: readonly string[]): PolicyReport[] {
  const loaded = loadObjects(paths);
  if (!loaded.ok) throw new BadInput(loaded.errors);
  const reports = loaded.objects.filter(
    (o) => o.object.apiVersion === REPORT_API_VERSION && REPORT_KINDS.has(o.object.kind ?? ''),
  );
  if (reports.length === 0 && loaded.objects.length > 0) {
    const first = loaded.objects[0];
    throw new BadInput([
      {
        file: first?.pos.file ?? '',
        line: first?.pos.line ?? 1,
        col: 1,
        message: `no ${REPORT_API_VERSION} PolicyReport in these files (berth check -o policyreport writes them)`,
      },
    ]);
  }
  return reports.map((o) => o.object as unknown as PolicyReport);
}

async function fromCluster(kubeconfig: string | undefined): Promise<PolicyReport[]> {
  let kc;
  try {
    kc = loadKubeConfig(kubeconfig);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}; pass --kubeconfig, or -f FILES to read reports berth check -o policyreport wrote`,
      { cause: e },
    );
  }
  const api = KubernetesObjectApi.makeApiClient(kc);
  try {
    return await new ApiReportStore(api).list();
  } catch (e) {
    throw new Error(
      `cannot read PolicyReports from the cluster (${e instanceof Error ? e.message : String(e)}); ` +
        'are the wgpolicyk8s.io CRDs installed (deploy/report-crds) and is berth serve running?',
      { cause: e },
    );
  }
}

function namespacesText(ns: readonly string[]): string {
  const shown = ns.map((n) => (n === '' ? '(cluster)' : n));
  return shown.length <= 4 ? shown.join(', ') : `${shown.slice(0, 4).join(', ')} (+${shown.length - 4})`;
}

/** The table: rules with failing objects first, then one line for the rules nothing fails. */
export function renderReportTable(rows: readonly RuleRow[], objects: number): string {
  const failing = rows.filter((r) => r.failing > 0 || r.errors > 0);
  const clean = rows.filter((r) => r.failing === 0 && r.errors === 0);
  const head = ['RULE', 'MODE', 'FAILING', 'ERRORS', 'NAMESPACES'];
  const cells = failing.map((r) => [
    r.rule,
    r.modes.join(',') || '-',
    String(r.failing),
    String(r.errors),
    namespacesText(r.namespaces),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) =>
    c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i] ?? 0))).join('  ');
  const fail = failing.length === 1 ? '1 rule fails' : `${failing.length} rules fail`;
  const out = [`${objects === 1 ? '1 object' : `${objects} objects`} judged; ${fail} on some of them`, ''];
  if (cells.length > 0) out.push(line(head), ...cells.map(line), '');
  if (clean.length > 0) out.push(`pass everywhere: ${clean.map((r) => r.rule).join(', ')}`, '');
  if (failing.some((r) => !r.modes.includes('enforce') && r.failing > 0))
    out.push(
      'An audit or warn rule switched to enforce denies its failing objects the next time they are applied.',
    );
  return `${out.join('\n').trimEnd()}\n`;
}

function objectCount(reports: readonly PolicyReport[]): number {
  const ids = new Set<string>();
  for (const r of reports) for (const x of r.results) if (x.policy === 'berth') ids.add(resourceId(x));
  return ids.size;
}

export async function reportAction(opts: ReportOpts, io: CliIO): Promise<void> {
  if (opts.output !== 'table' && opts.output !== 'json')
    throw new BadInput([
      { file: '-o', line: 1, col: 1, message: `unknown output ${opts.output}; use table or json` },
    ]);
  const all = opts.file ? fromFiles(opts.file) : await fromCluster(opts.kubeconfig);
  const reports =
    opts.namespace === undefined ? all : all.filter((r) => (r.metadata.namespace ?? '') === opts.namespace);
  const rows = summarize(reports);
  if (opts.output === 'json')
    io.out(`${JSON.stringify({ objects: objectCount(reports), rules: rows }, null, 2)}\n`);
  else io.out(renderReportTable(rows, objectCount(reports)));
  io.exit(0);
}
