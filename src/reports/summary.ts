/**
 * What the reports say, per rule: its mode, how many objects fail it and where. It is the answer to
 * "what would an `enforce` break?" (`berth report`), and the totals the metrics export. Pure.
 */
import type { PolicyReport, ReportResult, ReportResultValue } from './policy-report.js';

export interface RuleRow {
  rule: string;
  /** The modes it ran in (more than one when an override changes it for some namespaces). */
  modes: string[];
  /** Objects with a `fail` or `warn` result: what enforcing the rule would deny if applied again. */
  failing: number;
  /** Objects it could not be evaluated on. */
  errors: number;
  passing: number;
  skipped: number;
  /** Namespaces of the failing objects ('' for cluster-scoped), sorted. */
  namespaces: string[];
}

interface Tally {
  modes: Set<string>;
  failing: Set<string>;
  errors: Set<string>;
  passing: Set<string>;
  skipped: Set<string>;
  namespaces: Set<string>;
}

const TALLY_OF: Record<ReportResultValue, Exclude<keyof Tally, 'modes' | 'namespaces'>> = {
  fail: 'failing',
  warn: 'failing',
  error: 'errors',
  pass: 'passing',
  skip: 'skipped',
};

/** The object a result is about: its uid, else kind/namespace/name. */
export function resourceId(r: ReportResult): string {
  const res = r.resources[0];
  return res?.uid ?? `${res?.kind ?? ''}/${res?.namespace ?? ''}/${res?.name ?? ''}`;
}

function tallyOf(tallies: Map<string, Tally>, rule: string): Tally {
  let t = tallies.get(rule);
  if (!t) {
    t = {
      modes: new Set(),
      failing: new Set(),
      errors: new Set(),
      passing: new Set(),
      skipped: new Set(),
      namespaces: new Set(),
    };
    tallies.set(rule, t);
  }
  return t;
}

/** One row per rule with results, the rules with failing objects first (most first), then by id. */
export function summarize(reports: readonly PolicyReport[]): RuleRow[] {
  const tallies = new Map<string, Tally>();
  for (const report of reports)
    for (const r of report.results) {
      if (r.policy !== 'berth') continue;
      const t = tallyOf(tallies, r.rule);
      const mode = r.properties?.mode;
      if (mode !== undefined) t.modes.add(mode);
      t[TALLY_OF[r.result]].add(resourceId(r));
      if (r.result === 'fail' || r.result === 'warn') t.namespaces.add(r.resources[0]?.namespace ?? '');
    }
  const rows = [...tallies].map(([rule, t]) => ({
    rule,
    modes: [...t.modes].sort(),
    failing: t.failing.size,
    errors: t.errors.size,
    passing: t.passing.size,
    skipped: t.skipped.size,
    namespaces: [...t.namespaces].sort(),
  }));
  return rows.sort((a, b) => b.failing - a.failing || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
}

/** Results by rule and result across the reports (the `berth_report_results` gauge). */
export function resultCounts(reports: Iterable<PolicyReport>): Map<string, Map<ReportResultValue, number>> {
  const out = new Map<string, Map<ReportResultValue, number>>();
  for (const report of reports)
    for (const r of report.results) {
      const m = out.get(r.rule) ?? new Map<ReportResultValue, number>();
      m.set(r.result, (m.get(r.result) ?? 0) + 1);
      out.set(r.rule, m);
    }
  return out;
}
