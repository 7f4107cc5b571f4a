import { describe, expect, it } from 'vitest';
import { cronProblem, goDurationProblem, scheduleErrors } from './cron-schedule.js';

describe('cronProblem: robfig/cron ParseStandard as the API server runs it', () => {
  it.each([
    '0 2 * * *',
    '*/15 * * * *',
    '0 9-17 * * MON-FRI',
    '0 0 1 jan,jul *',
    '@daily',
    '@every 1h30m',
    '5 4 * * sun',
    '? * * * *',
  ])('accepts %s', (s) => {
    expect(cronProblem(s)).toBeUndefined();
  });

  it.each([
    ['', 'empty spec string'],
    ['0 2 * *', 'expected exactly 5 fields, found 4: [0 2 * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['a * * * *', 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['1/2/3 * * * *', 'too many slashes: 1/2/3'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every 1d', 'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"'],
  ])('refuses %j: %s', (s, message) => {
    expect(cronProblem(s)).toBe(message);
  });

  it.each([
    ['1h30m', undefined],
    ['0', undefined],
    ['1.5s', undefined],
    ['1', 'time: missing unit in duration "1"'],
    ['x', 'time: invalid duration "x"'],
    ['', 'time: invalid duration ""'],
  ])('Go durations: %j', (d, message) => {
    expect(goDurationProblem(d)).toBe(message);
  });

  it('refuses TZ in the schedule, as the timeZone field says it', () => {
    expect(scheduleErrors('TZ=UTC 0 2 * * *')).toEqual([
      'spec.schedule: Invalid value: "TZ=UTC 0 2 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ]);
    expect(scheduleErrors(undefined)).toEqual(['spec.schedule: Required value']);
  });
});
