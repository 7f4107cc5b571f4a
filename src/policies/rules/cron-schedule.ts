/**
 * A CronJob's schedule as the API server validates it (pkg/apis/batch/validation
 * validateScheduleFormat): github.com/robfig/cron/v3 ParseStandard — five fields or a descriptor —
 * and no TZ or CRON_TZ in it (the timeZone field says that). In their words. Pure.
 */
import { fieldError as fe } from '../../kube/field-errors.js';

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) },
];
const DESCRIPTORS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);

/** Go's strconv.Atoi, with robfig's wrapping and its refusal of negatives. */
function parseInt10(expr: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(expr))
    return `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`;
  const n = Number(expr);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63 - 1)
    return `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`;
  return n < 0 ? `negative number (${n}) not allowed: ${expr}` : n;
}

const intOrName = (expr: string, b: Bounds): number | string =>
  b.names?.[expr.toLowerCase()] ?? parseInt10(expr);

/** The start and end of `a`, `a-b` or `*`, or the problem. */
function bounds(lowAndHigh: readonly string[], expr: string, b: Bounds): [number, number] | string {
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') return [b.min, b.max];
  const s = intOrName(lowAndHigh[0] ?? '', b);
  if (typeof s === 'string') return s;
  if (lowAndHigh.length > 2) return `too many hyphens: ${expr}`;
  if (lowAndHigh.length === 1) return [s, s];
  const e = intOrName(lowAndHigh[1] ?? '', b);
  return typeof e === 'string' ? e : [s, e];
}

/** getRange: `*`, `a`, `a-b`, each with an optional `/step`; the first problem, or undefined. */
function rangeProblem(expr: string, b: Bounds): string | undefined {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const se = bounds(lowAndHigh, expr, b);
  if (typeof se === 'string') return se;
  const start = se[0];
  let end = se[1];
  let step = 1;
  if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (rangeAndStep.length === 2) {
    const s = parseInt10(rangeAndStep[1] ?? '');
    if (typeof s === 'string') return s;
    step = s;
    if (lowAndHigh.length === 1) end = b.max;
  }
  if (start < b.min) return `beginning of range (${start}) below minimum (${b.min}): ${expr}`;
  if (end > b.max) return `end of range (${end}) above maximum (${b.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  return step === 0 ? `step of range should be a positive number: ${expr}` : undefined;
}

const UNITS = new Set(['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h']);

/** Go's time.ParseDuration refusal, in its words (overflow aside), or undefined. */
export function goDurationProblem(orig: string): string | undefined {
  const q = JSON.stringify(orig);
  let s = orig.replace(/^[-+]/, '');
  if (s === '0') return undefined;
  if (s === '') return `time: invalid duration ${q}`;
  while (s !== '') {
    const m = /^([0-9]*)(\.([0-9]*))?/.exec(s);
    const digits = (m?.[1] ?? '') + (m?.[3] ?? '');
    if (!m || digits === '') return `time: invalid duration ${q}`;
    s = s.slice(m[0].length);
    const unit = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    if (unit === '') return `time: missing unit in duration ${q}`;
    if (!UNITS.has(unit)) return `time: unknown unit ${JSON.stringify(unit)} in duration ${q}`;
    s = s.slice(unit.length);
  }
  return undefined;
}

/** robfig's ParseStandard error for a schedule, or undefined when it parses. */
export function cronProblem(schedule: string): string | undefined {
  let spec = schedule;
  if (spec.length === 0) return 'empty spec string';
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) spec = spec.slice(spec.indexOf(' ') + 1).trim();
  if (spec.startsWith('@')) {
    if (DESCRIPTORS.has(spec)) return undefined;
    if (spec.startsWith('@every ')) {
      const bad = goDurationProblem(spec.slice('@every '.length));
      return bad === undefined ? undefined : `failed to parse duration ${spec}: ${bad}`;
    }
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (const [i, field] of fields.entries())
    for (const expr of field.split(',').filter((e) => e !== '')) {
      const bad = rangeProblem(expr, FIELDS[i] ?? { min: 0, max: 0 });
      if (bad !== undefined) return bad;
    }
  return undefined;
}

/** The API server's field errors for a CronJob's spec.schedule. */
export function scheduleErrors(schedule: unknown): string[] {
  const path = 'spec.schedule';
  if (typeof schedule !== 'string' || schedule === '') return [fe.required(path)];
  const out: string[] = [];
  const bad = cronProblem(schedule);
  if (bad !== undefined) out.push(fe.invalid(path, schedule, bad));
  if (schedule.includes('TZ'))
    out.push(fe.invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  return out;
}
