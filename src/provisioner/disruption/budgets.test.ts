import { describe, expect, it } from 'vitest';
import type { NodePool } from '../../scheduling/nodepool.js';
import { allowance, readBudgets, type DisruptionReason } from './budgets.js';
import { firesAt, parseCron, windowOpen } from './cron.js';
import { parseGoDuration } from '../../util/go-duration.js';

const pool = (budgets?: unknown[]): NodePool => ({
  metadata: { name: 'berth-general' },
  spec: { template: { spec: {} }, ...(budgets ? { disruption: { budgets } } : {}) },
});
const at = (iso: string) => new Date(iso);
const allowed = (
  budgets: unknown[] | undefined,
  total: number,
  opts: { reason?: DisruptionReason; disrupting?: number; now?: string } = {},
) =>
  allowance(
    readBudgets(pool(budgets)),
    opts.reason ?? 'Underutilized',
    { total, disrupting: opts.disrupting ?? 0 },
    at(opts.now ?? '2026-11-23T12:00:00Z'),
  ).allowed;

describe('disruption budgets (Karpenter v1)', () => {
  it.each([
    ['absent: nodes 10%, rounded up', undefined, 5, 1],
    ['10% of 11 rounds up to 2', [{ nodes: '10%' }], 11, 2],
    ['a count', [{ nodes: '3' }], 50, 3],
    ['0 stops everything', [{ nodes: '0' }], 50, 0],
    ['the smallest applies', [{ nodes: '50%' }, { nodes: '2' }], 50, 2],
    ['an empty list: unlimited', [], 50, Number.POSITIVE_INFINITY],
    ['100%', [{ nodes: '100%' }], 7, 7],
  ])('%s', (_what, budgets, total, expected) => {
    expect(allowed(budgets, total)).toBe(expected);
  });

  it('subtracts the nodes already disrupting or not Ready, never below 0', () => {
    expect(allowed([{ nodes: '5' }], 50, { disrupting: 2 })).toBe(3);
    expect(allowed([{ nodes: '1' }], 50, { disrupting: 4 })).toBe(0);
  });

  it('counts a budget only for its reasons', () => {
    const budgets = [{ nodes: '0', reasons: ['Drifted'] }, { nodes: '20%' }];
    expect(allowed(budgets, 10, { reason: 'Drifted' })).toBe(0);
    expect(allowed(budgets, 10, { reason: 'Underutilized' })).toBe(2);
    expect(allowed(budgets, 10, { reason: 'Empty' })).toBe(2);
  });

  it('applies a scheduled budget only inside its window, across midnight too', () => {
    const nightly = [{ nodes: '0', schedule: '0 22 * * *', duration: '8h' }, { nodes: '10' }];
    expect(allowed(nightly, 100, { now: '2026-11-23T21:59:00Z' })).toBe(10);
    expect(allowed(nightly, 100, { now: '2026-11-23T22:00:00Z' })).toBe(0);
    expect(allowed(nightly, 100, { now: '2026-11-24T03:30:00Z' })).toBe(0);
    expect(allowed(nightly, 100, { now: '2026-11-24T05:59:00Z' })).toBe(0);
    expect(allowed(nightly, 100, { now: '2026-11-24T06:00:00Z' })).toBe(10);
    const weekdays = [{ nodes: '0', schedule: '@daily', duration: '1h30m' }];
    expect(allowed(weekdays, 10, { now: '2026-11-23T01:29:00Z' })).toBe(0);
    expect(allowed(weekdays, 10, { now: '2026-11-23T01:30:00Z' })).toBe(Number.POSITIVE_INFINITY);
  });

  it.each([
    [
      'schedule without duration',
      [{ nodes: '1', schedule: '0 9 * * 1-5' }],
      /schedule and duration must be set together/,
    ],
    ['a bad percentage', [{ nodes: '150%' }], /nodes must be a count or a percentage/],
    ['an unknown reason', [{ nodes: '1', reasons: ['Expired'] }], /reasons must be among/],
    [
      'a bad schedule',
      [{ nodes: '1', schedule: '0 25 * * *', duration: '1h' }],
      /hour: "25" is outside 0-23/,
    ],
    ['a bad duration', [{ nodes: '1', schedule: '@hourly', duration: '1d' }], /is not a duration/],
  ])('an invalid budget allows nothing (fail closed): %s', (_what, budgets, message) => {
    const read = readBudgets(pool(budgets));
    expect(read.ok).toBe(false);
    const a = allowance(read, 'Underutilized', { total: 10, disrupting: 0 }, at('2026-11-23T12:00:00Z'));
    expect(a.allowed).toBe(0);
    expect(a.why).toMatch(message);
  });
});

describe('cron schedules (robfig/cron standard, UTC)', () => {
  it.each([
    ['*/15 * * * *', '2026-11-23T10:45:00Z', true],
    ['*/15 * * * *', '2026-11-23T10:46:00Z', false],
    ['0 9 * * mon-fri', '2026-11-23T09:00:00Z', true], // a Monday
    ['0 9 * * mon-fri', '2026-11-22T09:00:00Z', false], // a Sunday
    ['0 0 1,15 * *', '2026-11-15T00:00:00Z', true],
    ['0 0 1 jan *', '2027-01-01T00:00:00Z', true],
    // Day of month and day of week both restricted: either matches (the 13th, or any Friday).
    ['0 0 13 * 5', '2026-11-13T00:00:00Z', true],
    ['0 0 13 * 5', '2026-11-20T00:00:00Z', true],
    ['0 0 13 * 5', '2026-11-19T00:00:00Z', false],
    ['@weekly', '2026-11-22T00:00:00Z', true],
    ['@hourly', '2026-11-22T07:00:00Z', true],
  ])('%s fires at %s: %s', (schedule, iso, expected) => {
    expect(firesAt(parseCron(schedule), at(iso))).toBe(expected);
  });

  it('keeps a window open for its duration after each firing', () => {
    const c = parseCron('30 23 * * *');
    expect(windowOpen(c, at('2026-11-24T00:29:59Z'), 3_600_000)).toBe(true);
    expect(windowOpen(c, at('2026-11-24T00:30:00Z'), 3_600_000)).toBe(false);
  });

  it.each(['* * * *', '60 * * * *', '@sometimes', '*/0 * * * *', 'x * * * *'])('refuses %s', (s) => {
    expect(() => parseCron(s)).toThrow();
  });
});

describe('Go durations', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['720h', 2_592_000_000],
    ['Never', Number.POSITIVE_INFINITY],
    ['1d', undefined],
    ['', undefined],
  ])('%s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});
