/** Renders results as table, JSON or YAML. */
import { stringify } from 'yaml';
import type { Verdict } from '../policies/engine.js';

export type Format = 'table' | 'json' | 'yaml';

export function parseFormat(v: string): Format {
  if (v === 'table' || v === 'json' || v === 'yaml') return v;
  throw new Error(`-o must be table, json or yaml (got ${v})`);
}

export interface CheckReport {
  results: {
    kind: string;
    namespace: string;
    name: string;
    allowed: boolean;
    violations: { rule: string; mode: string; message: string }[];
    warnings: string[];
    exempted?: { rule: string; reason: string }[];
    errors?: { rule: string; message: string }[];
    source?: string;
    schemaErrors?: string[];
  }[];
}

export function toReport(verdicts: readonly Verdict[], sources: readonly ResultSource[] = []): CheckReport {
  return {
    results: verdicts.map((v, i) => ({
      kind: v.kind,
      namespace: v.namespace,
      name: v.name,
      allowed: v.allowed,
      violations: v.violations.map((x) => ({ rule: x.rule, mode: x.mode, message: x.message })),
      warnings: v.warnings,
      ...(v.exempted.length > 0 ? { exempted: v.exempted } : {}),
      ...(v.errors.length > 0 ? { errors: v.errors } : {}),
      ...(sources[i] ? { source: sources[i].source } : {}),
      ...(sources[i]?.details.length ? { schemaErrors: sources[i].details } : {}),
    })),
  };
}

/** Per result: where the object came from, and lines that place its schema errors in the file. */
export interface ResultSource {
  source: string;
  details: string[];
}

export function renderCheck(
  verdicts: readonly Verdict[],
  format: Format,
  sources: readonly ResultSource[] = [],
): string {
  if (format === 'json') return `${JSON.stringify(toReport(verdicts, sources), null, 2)}\n`;
  if (format === 'yaml') return stringify(toReport(verdicts, sources));
  const lines: string[] = [];
  verdicts.forEach((v, i) => {
    const src = sources[i];
    const at = src ? `  (${src.source})` : '';
    lines.push(
      `${v.allowed ? 'ALLOWED' : 'DENIED '} ${v.kind} ${v.namespace}/${v.name}${v.skipped ? ` (${v.skipped})` : ''}${at}`,
    );
    for (const x of v.violations) lines.push(`  ${x.mode.padEnd(7)} ${x.message}`);
    for (const d of src?.details ?? []) lines.push(`          ${d}`);
    for (const e of v.exempted) lines.push(`  exempt  [${e.rule}] ${e.reason}`);
    for (const e of v.errors) lines.push(`  error   ${e.message}`);
  });
  const denied = verdicts.filter((v) => !v.allowed).length;
  const warned = verdicts.filter((v) => v.violations.some((x) => x.mode === 'warn')).length;
  lines.push(
    '',
    `${verdicts.length} objects: ${verdicts.length - denied} allowed, ${denied} denied, ${warned} with warnings`,
  );
  return `${lines.join('\n')}\n`;
}
