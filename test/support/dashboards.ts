/**
 * Grafana dashboards read as Prometheus would run them: the metrics (and matched labels) and grouping
 * labels of each PromQL query, and the series a Berth /metrics serves (histogram and summary parts too).
 */
import { Metrics } from '../../src/observability/metrics.js';

const NOT_METRICS = new Set([
  'sum',
  'rate',
  'irate',
  'increase',
  'count',
  'max',
  'min',
  'avg',
  'histogram_quantile',
  'label_replace',
  'label_values',
  'vector',
  'or',
  'and',
  'unless',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'topk',
  'bottomk',
  'abs',
  'offset',
  'bool',
  'e',
  'Inf',
  'NaN',
]);

export interface Query {
  metrics: { name: string; labels: string[] }[];
  grouped: string[];
}

/** The metrics (with the labels they are matched on) and the grouping labels of one PromQL query. */
export function parsePromQL(expr: string, variables: Record<string, string[]>): Query {
  const withoutComments = expr.replace(/#[^\n]*/g, ' ');
  const grouped = [...withoutComments.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) =>
    (m[1] ?? '').split(',').flatMap((l) => {
      const label = l.trim();
      return label.startsWith('$') ? (variables[label.slice(1)] ?? []) : label ? [label] : [];
    }),
  );
  const blocks: string[] = [];
  const e = withoutComments
    .replace(/\b(?:by|without)\s*\([^)]*\)/g, ' ')
    .replace(/\{[^}]*\}/g, (b) => `{#${blocks.push(b) - 1}}`)
    .replace(/"[^"]*"/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const metrics: Query['metrics'] = [];
  for (const m of e.matchAll(/(?<![\w$#])([A-Za-z_:][\w:]*)\s*(\{#(\d+)\})?/g)) {
    const name = m[1] ?? '';
    if (NOT_METRICS.has(name) || /^\d/.test(name)) continue;
    const block = m[3] !== undefined ? (blocks[Number(m[3])] ?? '') : '';
    const labels = [...block.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1] ?? '');
    metrics.push({ name, labels });
  }
  return { metrics, grouped };
}

export interface Variable {
  name: string;
  query?: unknown;
  type?: string;
  includeAll?: boolean;
}

export interface Dashboard {
  title: string;
  panels?: Panel[];
  templating?: { list?: Variable[] };
}
interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

/** Every panel with queries, those inside rows too: its title and its PromQL. */
export function panelsOf(d: Dashboard): { title: string; exprs: string[] }[] {
  const out: { title: string; exprs: string[] }[] = [];
  const walk = (ps: Panel[] | undefined) => {
    for (const p of ps ?? []) {
      const exprs = (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : []));
      if (exprs.length > 0) out.push({ title: p.title ?? '', exprs });
      walk(p.panels);
    }
  };
  walk(d.panels);
  return out;
}

/** A `label_values(selector, label)` variable's selector and label (undefined for other variables). */
export function labelValuesOf(v: Variable): { selector: string; label: string } | undefined {
  const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
  const inner = q?.match(/^label_values\((.*),\s*(\w+)\)$/);
  return inner?.[1] !== undefined ? { selector: inner[1], label: inner[2] ?? '' } : undefined;
}

export function queriesOf(d: Dashboard): { where: string; expr: string }[] {
  const out = panelsOf(d).flatMap((p) => p.exprs.map((expr) => ({ where: `panel "${p.title}"`, expr })));
  for (const v of d.templating?.list ?? []) {
    const lv = labelValuesOf(v);
    if (lv) out.push({ where: `variable $${v.name}`, expr: `sum by (${lv.label}) (${lv.selector})` });
  }
  return out;
}

export function variablesOf(d: Dashboard): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of d.templating?.list ?? [])
    if (v.type === 'custom' && typeof v.query === 'string')
      out[v.name] = v.query.split(',').map((s) => s.trim());
  return out;
}

/** What Berth's registry serves: series names (histogram and summary parts too) → their labels. */
export function served(): Map<string, Set<string>> {
  const metrics = new Metrics();
  const out = new Map<string, Set<string>>();
  for (const m of metrics.registry.getMetricsAsArray()) {
    const labels = new Set((m as unknown as { labelNames: string[] }).labelNames);
    const name = (m as unknown as { name: string }).name;
    const type = (m as unknown as { type: string }).type;
    out.set(name, labels);
    if (type === 'histogram') {
      out.set(`${name}_bucket`, new Set([...labels, 'le']));
      out.set(`${name}_count`, labels);
      out.set(`${name}_sum`, labels);
    }
    if (type === 'summary') {
      out.set(name, new Set([...labels, 'quantile']));
      out.set(`${name}_count`, labels);
      out.set(`${name}_sum`, labels);
    }
  }
  return out;
}
