/**
 * Prometheus histograms as the benches read them between two scrapes: kube-apiserver's
 * `apiserver_admission_webhook_admission_duration_seconds` (how long the API server waited on each
 * webhook) and Berth's own `berth_admission_review_duration_seconds` (how long Berth took once the
 * review had reached it), plus plain counters such as `berth_webhook_connections_total`.
 */
import { execFileSync } from 'node:child_process';

/** Cumulative buckets (upper bound → count) per series key. */
export type Histograms = Map<string, Map<number, number>>;

/** A /metrics page: with a bearer token over HTTPS (the API server), or plain (Berth's metrics port). */
export function scrape(url: string, token?: string): string {
  try {
    return execFileSync('curl', ['-sfk', ...(token ? ['-H', `Authorization: Bearer ${token}`] : []), url], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch {
    return '';
  }
}

const label = (labels: string, name: string): string =>
  new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? '';

/**
 * The buckets of `metric` in a page, keyed by the values of `keys` joined with a space (series that
 * differ in other labels are summed); `keep` picks series by their labels.
 */
export function histograms(
  text: string,
  metric: string,
  keys: readonly string[],
  keep: (labels: string) => boolean = () => true,
): Histograms {
  const out: Histograms = new Map();
  const re = new RegExp(`^${metric}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) {
    const labels = m[1] ?? '';
    if (!keep(labels)) continue;
    const key = keys.map((k) => label(labels, k)).join(' ');
    const le = label(labels, 'le');
    const buckets = out.get(key) ?? new Map<number, number>();
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(m[2]));
    out.set(key, buckets);
  }
  return out;
}

/** The sum of a counter's series in a page (0 when absent). */
export function counter(text: string, metric: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** The buckets observed between two reads. */
export function delta(before: Histograms, after: Histograms): Histograms {
  return new Map(
    [...after].map(([key, buckets]) => [
      key,
      new Map([...buckets].map(([le, n]) => [le, n - (before.get(key)?.get(le) ?? 0)])),
    ]),
  );
}

/** How many observations a series holds. */
export const observations = (buckets: Map<number, number>): number =>
  buckets.get(Number.POSITIVE_INFINITY) ?? Math.max(0, ...buckets.values());

/** A quantile from cumulative buckets, interpolated within its bucket as Prometheus does. */
export function histogramQuantile(buckets: Map<number, number>, q: number): number {
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= q * total) {
      if (!Number.isFinite(bound)) return prevBound;
      const within = count - prevCount;
      return within === 0 ? bound : prevBound + ((q * total - prevCount) / within) * (bound - prevBound);
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

/** Berth's own time per review (berth_admission_review_duration_seconds) in a metrics page, by webhook. */
export const berthReviews = (page: string): Histograms =>
  histograms(page, 'berth_admission_review_duration_seconds', ['webhook']);

/** kube-apiserver's webhook admission histograms of the webhooks named *.berth.dev, by "name operation". */
export function apiserverWebhooks(server: string, token: string): Histograms {
  return histograms(
    scrape(`${server}/metrics`, token),
    'apiserver_admission_webhook_admission_duration_seconds',
    ['name', 'operation'],
    (labels) => label(labels, 'name').endsWith('berth.dev'),
  );
}
