import { describe, expect, it } from 'vitest';
import { dailyToday, todayOf } from './engine.js';

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
