import { describe, expect, it } from 'vitest';
import { dailyToday, shortWarning, todayOf } from './engine.js';

describe('dailyToday', () => {
  it('agrees with todayOf across UTC midnight, a year end and back in time', () => {
    const times = [
      '2026-11-21T00:00:00.000Z',
      '2026-11-21T12:34:56.789Z',
      '2026-11-21T23:59:59.999Z',
      '2026-11-22T00:00:00.000Z',
      '2026-12-31T23:59:59.999Z',
      '2027-01-01T00:00:00.001Z',
      '2026-11-20T23:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
    ];
    let now = new Date(times[0] ?? '');
    const today = dailyToday(() => now);
    for (const t of times) {
      now = new Date(t);
      expect(today(), t).toBe(todayOf(() => now));
      expect(today(), t).toBe(t.slice(0, 10));
    }
  });

  it('reads the clock on every call', () => {
    let calls = 0;
    const today = dailyToday(() => {
      calls++;
      return new Date('2026-11-21T08:00:00Z');
    });
    today();
    today();
    expect(calls).toBe(2);
  });
});

describe('warnings as kubectl shows them', () => {
  it('shortens the middle of a long finding at word boundaries and keeps the whole fix', () => {
    const what =
      'the pods of this workload declare an emptyDir volume scratch that the kubelet deletes when the pod is evicted; if it is short, they survive';
    const w = shortWarning('local-storage', { what, fix: 'mark it safe to evict' });
    expect(w.length).toBeLessThan(120);
    expect(w).toMatch(/^\[local-storage\] the pods of this .*…/);
    expect(w).toMatch(/; fix: mark it safe to evict$/);
    for (const word of w
      .replace(/[[\];:…]/g, ' ')
      .split(/\s+/)
      .filter(Boolean))
      expect(`${what} local-storage fix mark it safe to evict`).toContain(word);
  });

  it('keeps a short finding whole', () => {
    expect(shortWarning('naked-pod', { what: 'no controller', fix: 'use a Deployment' })).toBe(
      '[naked-pod] no controller; fix: use a Deployment',
    );
  });
});
