/**
 * A summary as Karpenter's client_golang exports it: quantiles over a sliding 10-minute window (five
 * age buckets: prometheus.DefMaxAge, DefAgeBuckets), and NaN — not 0 — for a label set with no
 * observation in the window, so a dashboard shows "no data" rather than a made-up zero. `_sum` and
 * `_count` stay cumulative, as client_golang's do.
 */
import {
  Summary,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValue,
  type SummaryConfiguration,
} from 'prom-client';

/** client_golang's DefMaxAge and DefAgeBuckets. */
export const SUMMARY_MAX_AGE_SECONDS = 600;
export const SUMMARY_AGE_BUCKETS = 5;

export class SlidingSummary<T extends string = string> extends Summary<T> {
  /** When each label set was last observed (ms), by its key. */
  private readonly last = new Map<string, number>();

  constructor(
    config: SummaryConfiguration<T>,
    private readonly now: () => number = Date.now,
  ) {
    super({ maxAgeSeconds: SUMMARY_MAX_AGE_SECONDS, ageBuckets: SUMMARY_AGE_BUCKETS, ...config });
  }

  override observe(labels: LabelValues<T> | number, value?: number): void {
    this.last.set(typeof labels === 'number' ? '' : keyOf(labels), this.now());
    if (typeof labels === 'number') super.observe(labels);
    else super.observe(labels, value ?? 0);
  }

  override async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    const got = await super.get();
    const cutoff = this.now() - SUMMARY_MAX_AGE_SECONDS * 1000;
    return {
      ...got,
      values: got.values.map((v) => {
        const labels = v.labels as Record<string, string | number | undefined>;
        if (labels.quantile === undefined) return v;
        const rest = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== 'quantile'));
        const seen = this.last.get(keyOf(rest));
        return seen === undefined || seen < cutoff ? { ...v, value: Number.NaN } : v;
      }),
    };
  }
}

function keyOf(labels: Readonly<Record<string, string | number | undefined>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${String(labels[k])}`)
    .join(',');
}
