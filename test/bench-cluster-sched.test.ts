/**
 * bench:cluster's trace of what each process waited for a CPU (bench/cluster/sched.ts): the kernel's
 * schedstat lines read as seconds, and the gate thread's wait per review.
 */
import { describe, expect, it } from 'vitest';
import {
  parseSchedstat,
  processSched,
  schedDelta,
  SchedTimeline,
  type Sched,
} from '../bench/cluster/sched.js';
import { waitedForCpu } from '../bench/cluster/trace.js';

describe('schedstat', () => {
  it.each([
    ['33380580 1510012 6\n', { cpu: 0.03338058, wait: 0.001510012 }],
    ['', undefined],
    ['x y z', undefined],
  ])('reads %j', (text, expected) => {
    expect(parseSchedstat(text)).toEqual(expected);
  });

  it.runIf(process.platform === 'linux')("reads this process's threads, the first one as main", () => {
    const out = new Map<string, Sched>();
    processSched(process.pid, 'bench', out);
    const main = out.get('bench/main');
    expect(main?.cpu).toBeGreaterThan(0);
    expect(out.get('bench')?.cpu).toBeGreaterThanOrEqual(main?.cpu ?? Infinity);
  });

  it('is the difference of two reads, a key first seen in the second counted whole', () => {
    const d = schedDelta(
      new Map([['a', { cpu: 1, wait: 0.5 }]]),
      new Map([
        ['a', { cpu: 3, wait: 1 }],
        ['b', { cpu: 2, wait: 0.25 }],
      ]),
    );
    expect(d).toEqual(
      new Map([
        ['a', { cpu: 2, wait: 0.5 }],
        ['b', { cpu: 2, wait: 0.25 }],
      ]),
    );
  });
});

describe('waitedForCpu', () => {
  const reviews = (n: number) => new Map([[Number.POSITIVE_INFINITY, n]]);
  it("gives the gate thread's wait a review, and every process's wait", () => {
    const line = waitedForCpu(
      new Map([
        ['kube-apiserver', { cpu: 40, wait: 6 }],
        ['provisioner', { cpu: 10, wait: 3 }],
        ['provisioner/berth-gate', { cpu: 1, wait: 0.5 }],
      ]),
      new Map([
        ['gate.berth.dev CREATE', reviews(1000)],
        ['mutate.berth.dev CREATE', reviews(5)],
      ]),
    );
    expect(line).toContain('kube-apiserver 6.0 of 40.0, provisioner 3.0 of 10.0');
    expect(line).toContain(
      'provisioner/berth-gate waited 0.50 s for a CPU (on one 1.00 s): 0.50 ms a gate review, 1000 reviews',
    );
  });

  it("uses the no-op webhook's thread on its side, and says nothing without schedstat", () => {
    const line = waitedForCpu(
      new Map([['no-op webhook/main', { cpu: 1, wait: 0.2 }]]),
      new Map([['gate.berth.dev CREATE', reviews(400)]]),
    );
    expect(line).toContain('no-op webhook/main waited 0.20 s');
    expect(line).toContain('0.50 ms a gate review');
    expect(waitedForCpu(new Map(), new Map())).toBe('');
  });
});

describe('SchedTimeline', () => {
  it('cuts its samples to a window, widened to whole samples', async () => {
    let n = 0;
    const t = new SchedTimeline(() => {
      n += 1;
      return new Map([['kube-apiserver', { cpu: n, wait: n / 2 }]]);
    }, 20);
    const before = Date.now();
    t.start();
    await new Promise((r) => setTimeout(r, 120));
    t.stop();
    const from = before + 30;
    const w = t.within(from, from + 40);
    expect(w?.from).toBeLessThanOrEqual(from);
    expect(w?.to).toBeGreaterThanOrEqual(from + 40);
    const d = w?.sched.get('kube-apiserver');
    expect(d?.cpu).toBeGreaterThanOrEqual(2);
    expect(d?.wait).toBe((d?.cpu ?? 0) / 2);
    // The whole span: the first sample (n = 1) to the last.
    expect(t.span().get('kube-apiserver')?.cpu).toBe(n - 1);
    expect(new SchedTimeline(() => new Map()).span()).toEqual(new Map());
    // Before the first sample, or after the last: not covered.
    expect(t.within(before - 1000, before)).toBeUndefined();
    expect(t.within(Date.now() + 1000, Date.now() + 2000)).toBeUndefined();
  });
});
