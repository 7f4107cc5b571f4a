/**
 * Karpenter's own Grafana dashboards (test/karpenter-dashboards, unchanged) work against Berth: every
 * metric their PromQL queries, and every label they select or group by, is one Berth's /metrics serves
 * (same name, the label among its labels). Deliberate exceptions are listed with their reason.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromQL, queriesOf, served, variablesOf, type Dashboard } from './support/dashboards.js';
import { Metrics } from '../src/observability/metrics.js';

const DIR = 'test/karpenter-dashboards';

/** Metrics Berth does not serve, and why. */
const EXCEPTIONS: Record<string, string> = {
  node_time_seconds:
    "node-exporter's, from each node's kernel: install node-exporter, as Karpenter's users do",
  node_boot_time_seconds:
    "node-exporter's, from each node's kernel: install node-exporter, as Karpenter's users do",
};
/** Labels a dashboard groups by that the metric does not carry in Karpenter either, and why. */
const LABEL_EXCEPTIONS: Record<string, string> = {
  'karpenter_voluntary_disruption_decisions_total:nodepool':
    "Karpenter's own decisions_total has no nodepool label (a decision may span NodePools; its panel groups them under one empty value); per NodePool, Berth serves karpenter_voluntary_disruption_decisions_by_nodepool_total as Karpenter does",
};
/** Labels Prometheus adds to every series of a scrape target (`cluster` by a multi-cluster setup). */
const TARGET_LABELS = new Set(['job', 'instance', 'cluster', 'namespace_scrape', 'pod']);
const dashboards = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Dashboard] as const);

describe("Karpenter's dashboards against Berth's /metrics", () => {
  const serving = served();
  it('finds the dashboards and their queries', () => {
    expect(dashboards.map(([f]) => f).sort()).toEqual([
      'karpenter-capacity-dashboard.json',
      'karpenter-performance-dashboard.json',
    ]);
    for (const [, d] of dashboards) expect(queriesOf(d).length).toBeGreaterThan(5);
  });

  it.each(dashboards)('%s: every metric and label its queries use is served', (_, d) => {
    const missing: string[] = [];
    const variables = variablesOf(d);
    for (const q of queriesOf(d)) {
      const parsed = parsePromQL(q.expr, variables);
      const known = new Set<string>(TARGET_LABELS);
      for (const m of parsed.metrics) {
        if (EXCEPTIONS[m.name] !== undefined) continue;
        const labels = serving.get(m.name);
        if (!labels) {
          missing.push(`${q.where}: metric ${m.name}`);
          continue;
        }
        for (const l of labels) known.add(l);
        for (const l of m.labels)
          if (!labels.has(l) && !TARGET_LABELS.has(l)) missing.push(`${q.where}: ${m.name}{${l}}`);
      }
      if (parsed.metrics.every((m) => EXCEPTIONS[m.name] !== undefined)) continue;
      const excused = (l: string) =>
        parsed.metrics.some((m) => LABEL_EXCEPTIONS[`${m.name}:${l}`] !== undefined);
      for (const l of parsed.grouped) if (!known.has(l) && !excused(l)) missing.push(`${q.where}: by (${l})`);
    }
    expect(missing).toEqual([]);
  });

  it('reads PromQL as Prometheus does: matchers, grouping, strings and ranges', () => {
    const q = parsePromQL(
      'sum(rate(a_total{nodepool=~"$nodepool", zone!="x"}[$__rate_interval])) by (cluster, $f) / label_replace(b_seconds, "node_name", "$1", "node", "(.+)")',
      { f: ['arch', 'zone'] },
    );
    expect(q.metrics).toEqual([
      { name: 'a_total', labels: ['nodepool', 'zone'] },
      { name: 'b_seconds', labels: [] },
    ]);
    expect(q.grouped).toEqual(['cluster', 'arch', 'zone']);
  });
});

describe("Berth's own dashboard (charts/berth/files/dashboard.json)", () => {
  const d = JSON.parse(readFileSync('charts/berth/files/dashboard.json', 'utf8')) as Dashboard;
  const serving = served();
  it('queries only metrics and labels Berth serves, and shows admission, cost by class and the provisioning signals', () => {
    const missing: string[] = [];
    const names = new Set<string>();
    for (const q of queriesOf(d)) {
      const parsed = parsePromQL(q.expr, {});
      const known = new Set<string>(TARGET_LABELS);
      for (const m of parsed.metrics) {
        names.add(m.name);
        const labels = serving.get(m.name);
        if (!labels) missing.push(`${q.where}: metric ${m.name}`);
        for (const l of labels ?? []) known.add(l);
        for (const l of m.labels) if (labels && !labels.has(l)) missing.push(`${q.where}: ${m.name}{${l}}`);
      }
      for (const l of parsed.grouped) if (!known.has(l)) missing.push(`${q.where}: by (${l})`);
    }
    expect(missing).toEqual([]);
    expect([...names]).toEqual(
      expect.arrayContaining([
        'berth_admission_reviews_total',
        'berth_rule_violations_total',
        'berth_admission_review_duration_seconds_bucket',
        'berth_cost_usd_per_hour',
        'berth_cost_idle_usd_per_hour',
        'berth_pod_provisioning_duration_seconds_bucket',
        'berth_node_join_failures_total',
        'berth_unschedulable_pods',
        'berth_cloud_insufficient_capacity_total',
        'berth_drain_blocked_by_pdb_total',
      ]),
    );
  });
});

describe("Karpenter v1.14.1's own /metrics (test/karpenter-dashboards/karpenter-v1.14.1-kwok.metrics)", () => {
  // Read off the real controller (sigs.k8s.io/karpenter/kwok@v1.14.1) on the e2e control plane after a
  // scale-out and a single-node consolidation: one series per metric Berth serves under its name.
  const text = readFileSync(join(DIR, 'karpenter-v1.14.1-kwok.metrics'), 'utf8');
  const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const labels = new Map<string, string[]>();
  for (const m of text.matchAll(/^([a-z_]+?)(?:_bucket|_count|_sum)?\{([^}]*)\}/gm))
    if (!labels.has(m[1] ?? ''))
      labels.set(
        m[1] ?? '',
        [...(m[2] ?? '').matchAll(/(\w+)="/g)].map((x) => x[1] ?? ''),
      );
  const serving = served();

  it('has the series to compare', () => {
    expect(types.size).toBeGreaterThanOrEqual(18);
  });

  it.each([...types.keys()])('%s: same type, and every label Karpenter puts on it', (name) => {
    const metrics = new Metrics({ defaults: false });
    const mine = metrics.registry.getSingleMetric(name) as unknown as { type: string } | undefined;
    expect(mine?.type).toBe(types.get(name));
    const have = new Set([...(serving.get(name) ?? []), ...(serving.get(`${name}_bucket`) ?? [])]);
    expect((labels.get(name) ?? []).filter((l) => !have.has(l))).toEqual([]);
  });
});
