/**
 * Karpenter's Grafana dashboards (test/karpenter-dashboards) run as Grafana and Prometheus would run
 * them against a running Berth leader: scrapes of its /metrics are stored, with the target's labels,
 * by Prometheus's own storage and PromQL engine (test/e2e/promql, built by install-promql.sh); each
 * template variable is resolved from them as Grafana does (label_values, "All" as the values'
 * regex, a custom variable's options one by one), and every panel query is evaluated.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labelValuesOf, panelsOf, variablesOf, type Dashboard } from '../support/dashboards.js';

const DIR = 'test/karpenter-dashboards';

export interface Scrape {
  /** Unix milliseconds. */
  at: number;
  text: string;
}

export interface Series {
  metric: Record<string, string>;
  value: string;
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  /** The variable values this query was expanded with (`controller=provisioner`). */
  with: string;
  expr: string;
  series: Series[];
  error?: string;
}

/** Builds promql-eval (cached) and returns its path. */
export function promqlEval(): string {
  return execFileSync('bash', ['test/e2e/install-promql.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** Evaluates queries at the last scrape's time with Prometheus's engine. */
export function evaluate(
  bin: string,
  scrapes: readonly Scrape[],
  target: Record<string, string>,
  queries: readonly { id: string; expr: string }[],
): { id: string; series: Series[]; error?: string }[] {
  const at = scrapes[scrapes.length - 1]?.at ?? Date.now();
  const r = spawnSync(bin, [], {
    input: JSON.stringify({ scrapes, target, queries, at }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`promql-eval failed (${String(r.status)}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { id: string; series: Series[]; error?: string }[];
}

/** Grafana's escape of a multi-value variable for Prometheus: a regex escape, itself escaped for a PromQL string. */
const regexEscape = (s: string) => s.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');

/** Each variable's choices: one value for "All" (the values' regex), else each value on its own. */
function choicesOf(
  d: Dashboard,
  bin: string,
  scrapes: readonly Scrape[],
  target: Record<string, string>,
): Map<string, string[]> {
  const lookups = (d.templating?.list ?? []).flatMap((v) => {
    const lv = v.type === 'query' ? labelValuesOf(v) : undefined;
    return lv ? [{ v, label: lv.label, expr: `count by (${lv.label}) (${lv.selector})` }] : [];
  });
  const found = evaluate(
    bin,
    scrapes,
    target,
    lookups.map((l) => ({ id: l.v.name, expr: l.expr })),
  );
  const out = new Map<string, string[]>();
  for (const l of lookups) {
    const values = (found.find((f) => f.id === l.v.name)?.series ?? [])
      .map((s) => s.metric[l.label] ?? '')
      .filter((x) => x !== '')
      .sort();
    out.set(l.v.name, l.v.includeAll === true ? [`(${values.map(regexEscape).join('|')})`] : values);
  }
  for (const [name, options] of Object.entries(variablesOf(d))) out.set(name, options);
  return out;
}

/** The query with each variable it uses given each of its choices. */
function expansions(expr: string, choices: Map<string, string[]>): { with: string; expr: string }[] {
  let out = [{ with: '', expr: expr.replace(/\$__rate_interval/g, '1m') }];
  for (const [name, values] of choices) {
    const used = new RegExp(`\\$${name}\\b`);
    if (!used.test(expr)) continue;
    out = out.flatMap((e) =>
      values.map((v) => ({
        with: values.length > 1 ? `${e.with}${e.with ? ' ' : ''}${name}=${v}` : e.with,
        expr: e.expr.replace(new RegExp(`\\$${name}\\b`, 'g'), v),
      })),
    );
  }
  return out;
}

/** Every panel query of Karpenter's dashboards, evaluated over the scrapes. */
export function evaluateDashboards(
  bin: string,
  scrapes: readonly Scrape[],
  target: Record<string, string>,
): PanelQuery[] {
  const queries: Omit<PanelQuery, 'series'>[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Dashboard;
    const choices = choicesOf(d, bin, scrapes, target);
    for (const p of panelsOf(d))
      for (const e of p.exprs)
        for (const x of expansions(e, choices))
          queries.push({ dashboard: d.title, panel: p.title, with: x.with, expr: x.expr });
  }
  const results = evaluate(
    bin,
    scrapes,
    target,
    queries.map((q, i) => ({ id: String(i), expr: q.expr })),
  );
  return queries.map((q, i) => {
    const r = results[i];
    return { ...q, series: r?.series ?? [], ...(r?.error !== undefined ? { error: r.error } : {}) };
  });
}
