import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SlidingSummary } from './sliding-summary.js';

// client_golang's summaries (Karpenter's karpenter_pods_startup_duration_seconds,
// karpenter_nodes_termination_duration_seconds): quantiles over DefMaxAge (10 minutes) in
// DefAgeBuckets (5), NaN with no observation in the window; _sum and _count cumulative.
describe('SlidingSummary (client_golang summary semantics)', () => {
  const make = () => {
    let t = 1_000_000;
    const registry = new Registry();
    const s = new SlidingSummary(
      { name: 'startup', help: 'h', labelNames: ['pool'], percentiles: [0.5, 1], registers: [registry] },
      () => t,
    );
    return { registry, s, advance: (ms: number) => (t += ms) };
  };

  it('exports NaN quantiles before any observation, as Go does, not 0', async () => {
    const { registry } = make();
    const s = new SlidingSummary({ name: 'empty', help: 'h', percentiles: [0.5], registers: [registry] });
    expect(s).toBeDefined();
    // prom-client writes NaN as `Nan`, which Prometheus parses as Go's ParseFloat does: NaN.
    expect(await registry.metrics()).toMatch(/^empty\{quantile="0.5"\} NaN$/im);
  });

  it('reports the window, then NaN once nothing was observed for 10 minutes; count stays', async () => {
    const { registry, s, advance } = make();
    s.observe({ pool: 'a' }, 4);
    s.observe({ pool: 'a' }, 8);
    let text = await registry.metrics();
    expect(text).toContain('startup{quantile="1",pool="a"} 8');
    advance(11 * 60_000);
    text = await registry.metrics();
    expect(text).toMatch(/^startup\{quantile="0.5",pool="a"\} NaN$/im);
    expect(text).toContain('startup_count{pool="a"} 2');
    // An observation makes the window's quantiles current again (prom-client keeps the window itself).
    s.observe({ pool: 'a' }, 2);
    expect(await registry.metrics()).toMatch(/^startup\{quantile="1",pool="a"\} \d/m);
  });
});
