/** Results by rule and result over every namespace's reports, kept per namespace so a pass that
 * rewrites one namespace recounts only it; exported as the `berth_report_results` gauge. */
import type { Metrics } from '../observability/metrics.js';
import type { PolicyReport } from './policy-report.js';
import { resultCounts } from './summary.js';

export class ReportTotals {
  private readonly byNamespace = new Map<string, Map<string, Map<string, number>>>();

  set(namespace: string, reports: readonly PolicyReport[]): void {
    if (reports.length === 0) this.byNamespace.delete(namespace);
    else this.byNamespace.set(namespace, resultCounts(reports));
  }

  clear(): void {
    this.byNamespace.clear();
  }

  /** Sums over namespaces: rule → result → count. */
  sum(): Map<string, Map<string, number>> {
    const out = new Map<string, Map<string, number>>();
    for (const counts of this.byNamespace.values())
      for (const [rule, results] of counts) {
        const m = out.get(rule) ?? new Map<string, number>();
        for (const [result, n] of results) m.set(result, (m.get(result) ?? 0) + n);
        out.set(rule, m);
      }
    return out;
  }

  export(metrics: Metrics): void {
    metrics.reportResults.reset();
    for (const [rule, results] of this.sum())
      for (const [result, n] of results) metrics.reportResults.set({ rule, result }, n);
  }
}
