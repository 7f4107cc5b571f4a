/** Renders results as table, JSON or YAML. */
import { stringify } from 'yaml';
import type { Verdict } from '../policies/engine.js';
import { isClusterScoped } from '../kube/objects.js';

export type Format = 'table' | 'json' | 'yaml';

export function parseFormat(v: string): Format {
  if (v === 'table' || v === 'json' || v === 'yaml') return v;
  throw new Error(`-o must be table, json or yaml (got ${v})`);
}

export interface CheckReport {
  results: {
    kind: string;
    /** Absent for cluster-scoped kinds (Namespace, NodePool, …). */
    namespace?: string;
    name: string;
    allowed: boolean;
    violations: { rule: string; mode: string; message: string }[];
    warnings: string[];
    /** What kubectl prints as `Warning:` lines when the object is applied (each under 120 characters). */
    kubectlWarnings?: string[];
    exempted?: { rule: string; reason: string }[];
    errors?: { rule: string; message: string }[];
    source?: string;
    schemaErrors?: string[];
    /** Why nothing was judged of it (an exempt namespace, a kind Berth has no rules for). */
    skipped?: string;
  }[];
}

export function toReport(verdicts: readonly Verdict[], sources: readonly ResultSource[] = []): CheckReport {
  return {
    results: verdicts.map((v, i) => ({
      kind: v.kind,
      ...(isClusterScoped(v.kind) ? {} : { namespace: v.namespace }),
      name: v.name,
      allowed: v.allowed,
      // Warn-mode findings are warnings (whole messages), not violations as well.
      violations: v.violations
        .filter((x) => x.mode !== 'warn')
        .map((x) => ({ rule: x.rule, mode: x.mode, message: x.message })),
      warnings: [
        ...v.violations.filter((x) => x.mode === 'warn').map((x) => x.message),
        ...v.errors.map((x) => x.message),
      ],
      ...(v.warnings.length > 0 ? { kubectlWarnings: v.warnings } : {}),
      ...(v.exempted.length > 0 ? { exempted: v.exempted } : {}),
      ...(v.errors.length > 0 ? { errors: v.errors } : {}),
      ...(sources[i] ? { source: sources[i].source } : {}),
      ...(sources[i]?.details.length ? { schemaErrors: sources[i].details } : {}),
      ...(v.skipped !== undefined ? { skipped: v.skipped } : {}),
    })),
  };
}

/** Per result: where the object came from, and lines that place its schema errors in the file. */
export interface ResultSource {
  source: string;
  details: string[];
}

/** Which results a report shows: all, the denied ones, or those with warn-mode findings. */
export type Only = 'all' | 'denied' | 'warnings';

export function parseOnly(v: string | undefined): Only {
  if (v === undefined || v === 'all' || v === 'denied' || v === 'warnings') return v ?? 'all';
  throw new Error(`--only must be denied or warnings (got ${v})`);
}

const warned = (v: Verdict): boolean => v.allowed && v.violations.some((x) => x.mode === 'warn');

function shown(v: Verdict, only: Only): boolean {
  return only === 'all' || (only === 'denied' ? !v.allowed : warned(v));
}

function resultLines(v: Verdict, src: ResultSource | undefined): string[] {
  const at = src ? `  (${src.source})` : '';
  const lines = [
    `${v.allowed ? 'ALLOWED' : 'DENIED '} ${v.kind} ${isClusterScoped(v.kind) ? '' : `${v.namespace}/`}${v.name}${v.skipped ? ` (${v.skipped})` : ''}${at}`,
  ];
  for (const x of v.violations) lines.push(`  ${x.mode.padEnd(7)} ${x.message}`);
  for (const d of src?.details ?? []) lines.push(`          ${d}`);
  for (const e of v.exempted) lines.push(`  exempt  [${e.rule}] ${e.reason}`);
  for (const e of v.errors) lines.push(`  error   ${e.message}`);
  return lines;
}

/** Kinds Berth has no rules for, folded into one line: `ConfigMap 80, Service 40`. */
function folded(skipped: readonly Verdict[]): string {
  const byKind = new Map<string, number>();
  for (const v of skipped) byKind.set(v.kind, (byKind.get(v.kind) ?? 0) + 1);
  const kinds = [...byKind].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return `${skipped.length} object(s) of kinds Berth has no rules for: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}`;
}

/**
 * The table a person scans: the totals first, then the denials, then what is allowed with warnings,
 * then the rest that has anything to say; objects of kinds without rules folded into one line.
 */
export function renderCheck(
  verdicts: readonly Verdict[],
  format: Format,
  sources: readonly ResultSource[] = [],
  only: Only = 'all',
): string {
  const keep = verdicts.map((v, i) => ({ v, src: sources[i] })).filter((x) => shown(x.v, only));
  if (format !== 'table') {
    const report = toReport(
      keep.map((x) => x.v),
      keep.flatMap((x) => (x.src ? [x.src] : [])).length === keep.length
        ? keep.map((x) => x.src as ResultSource)
        : [],
    );
    return format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : stringify(report);
  }
  const denied = verdicts.filter((v) => !v.allowed);
  const warnings = verdicts.filter(warned);
  const lines = [
    `${verdicts.length === 1 ? '1 object' : `${verdicts.length} objects`}: ${verdicts.length - denied.length} allowed, ${denied.length} denied, ${warnings.length} with warnings`,
  ];
  const section = (title: string, rows: typeof keep): void => {
    if (rows.length === 0) return;
    lines.push('', `${title} (${rows.length})`);
    for (const r of rows) lines.push(...resultLines(r.v, r.src));
  };
  section(
    'DENIED',
    keep.filter((x) => !x.v.allowed),
  );
  section(
    'ALLOWED WITH WARNINGS',
    keep.filter((x) => warned(x.v)),
  );
  if (only === 'all') {
    const rest = keep.filter((x) => x.v.allowed && !warned(x.v));
    section(
      'ALLOWED',
      rest.filter((x) => x.v.skipped === undefined || !x.v.skipped.startsWith('no rules for kind')),
    );
    const skipped = rest.filter((x) => x.v.skipped?.startsWith('no rules for kind') === true).map((x) => x.v);
    if (skipped.length > 0) lines.push('', folded(skipped));
  }
  return `${lines.join('\n')}\n`;
}
