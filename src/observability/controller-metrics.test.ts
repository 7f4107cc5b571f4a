import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ControllerMetrics, reconcile, reconcileSync } from './controller-metrics.js';

/** The value of one series in the registry's text, or undefined when it is not there. */
async function value(reg: Registry, series: string): Promise<number | undefined> {
  const text = await reg.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function setUp() {
  const reg = new Registry();
  let now = 100;
  const m = new ControllerMetrics(reg, () => now);
  return { reg, m, tick: (s: number) => (now += s) };
}

describe('controller-runtime metrics for a leader duty', () => {
  it('shows a controller at zero from its first use, as controller-runtime does at start', async () => {
    const { reg, m } = setUp();
    expect(
      await value(reg, 'controller_runtime_reconcile_total{controller="disruption",result="success"}'),
    ).toBe(undefined);
    m.for('disruption');
    for (const result of ['success', 'error', 'requeue', 'requeue_after'])
      expect(
        await value(reg, `controller_runtime_reconcile_total{controller="disruption",result="${result}"}`),
      ).toBe(0);
    expect(await value(reg, 'controller_runtime_reconcile_errors_total{controller="disruption"}')).toBe(0);
    expect(await value(reg, 'controller_runtime_max_concurrent_reconciles{controller="disruption"}')).toBe(1);
    expect(await value(reg, 'workqueue_depth{name="disruption",controller="disruption",priority=""}')).toBe(
      0,
    );
  });

  it.each([
    { name: 'a success', fails: false, result: 'success', errors: 0, retries: 0 },
    { name: 'an error, rethrown and retried', fails: true, result: 'error', errors: 1, retries: 1 },
  ])('counts $name with its time, queue wait and work', async ({ fails, result, errors, retries }) => {
    const { reg, m, tick } = setUp();
    const r = m.for('nodeclaim.lifecycle');
    r.queued();
    r.queued(); // asked twice before it starts: one item
    expect(
      await value(
        reg,
        'workqueue_depth{name="nodeclaim.lifecycle",controller="nodeclaim.lifecycle",priority=""}',
      ),
    ).toBe(1);
    tick(2);
    const run = r.run(async () => {
      expect(await value(reg, 'controller_runtime_active_workers{controller="nodeclaim.lifecycle"}')).toBe(1);
      tick(3);
      expect(
        await value(
          reg,
          'workqueue_longest_running_processor_seconds{name="nodeclaim.lifecycle",controller="nodeclaim.lifecycle"}',
        ),
      ).toBe(3);
      if (fails) throw new Error('boom');
      return 1;
    });
    if (fails) await expect(run).rejects.toThrow('boom');
    else await expect(run).resolves.toBe(1);
    const c = 'controller="nodeclaim.lifecycle"';
    const q = `name="nodeclaim.lifecycle",${c}`;
    expect(await value(reg, `controller_runtime_reconcile_total{${c},result="${result}"}`)).toBe(1);
    expect(await value(reg, `controller_runtime_reconcile_errors_total{${c}}`)).toBe(errors);
    expect(await value(reg, `workqueue_retries_total{${q}}`)).toBe(retries);
    expect(await value(reg, `controller_runtime_reconcile_time_seconds_sum{${c}}`)).toBe(3);
    expect(await value(reg, `controller_runtime_reconcile_time_seconds_bucket{le="2.5",${c}}`)).toBe(0);
    expect(await value(reg, `controller_runtime_reconcile_time_seconds_bucket{le="3",${c}}`)).toBe(1);
    expect(await value(reg, `workqueue_adds_total{${q}}`)).toBe(1);
    expect(await value(reg, `workqueue_queue_duration_seconds_sum{${q}}`)).toBe(2);
    expect(await value(reg, `workqueue_work_duration_seconds_sum{${q}}`)).toBe(3);
    expect(await value(reg, `workqueue_depth{${q},priority=""}`)).toBe(0);
    expect(await value(reg, `controller_runtime_active_workers{${c}}`)).toBe(0);
    expect(await value(reg, `workqueue_unfinished_work_seconds{${q}}`)).toBe(0);
  });

  it('takes the result a reconcile reports, and counts one nothing queued as added when it starts', async () => {
    const { reg, m } = setUp();
    await reconcile(
      m,
      'karpenter-guard',
      () => Promise.resolve('seen'),
      () => 'requeue_after',
    );
    reconcileSync(m, 'metrics.pod', () => 1);
    expect(
      await value(
        reg,
        'controller_runtime_reconcile_total{controller="karpenter-guard",result="requeue_after"}',
      ),
    ).toBe(1);
    expect(
      await value(reg, 'controller_runtime_reconcile_total{controller="metrics.pod",result="success"}'),
    ).toBe(1);
    expect(await value(reg, 'workqueue_adds_total{name="metrics.pod",controller="metrics.pod"}')).toBe(1);
    expect(
      await value(reg, 'workqueue_queue_duration_seconds_count{name="metrics.pod",controller="metrics.pod"}'),
    ).toBe(1);
  });

  it('runs the reconcile alone when there are no metrics', async () => {
    await expect(reconcile(undefined, 'x', () => Promise.resolve(7))).resolves.toBe(7);
    expect(reconcileSync(undefined, 'x', () => 8)).toBe(8);
  });

  it("uses client-go's workqueue buckets, 10 ns to 1,000 s", async () => {
    const { reg, m } = setUp();
    m.for('x');
    await m.for('x').run(() => Promise.resolve());
    const text = await reg.metrics();
    const les = [...text.matchAll(/^workqueue_work_duration_seconds_bucket\{le="([^"]+)"/gm)].map(
      (x) => x[1],
    );
    expect(les).toEqual([
      '1e-8',
      '1e-7',
      '0.000001',
      '0.00001',
      '0.0001',
      '0.001',
      '0.01',
      '0.1',
      '1',
      '10',
      '100',
      '1000',
      '+Inf',
    ]);
  });
});
