/**
 * Cron schedules as Karpenter reads a disruption budget's `schedule` (robfig/cron's standard parser,
 * UTC): five fields — minute, hour, day of month, month, day of week — with `*`, `?`, lists, ranges,
 * steps and month/day names, or a descriptor (@yearly, @annually, @monthly, @weekly, @daily,
 * @midnight, @hourly). Day of month and day of week are ORed unless either is `*` or `?`.
 */

export interface Cron {
  readonly minute: ReadonlySet<number>;
  readonly hour: ReadonlySet<number>;
  readonly dom: ReadonlySet<number>;
  readonly month: ReadonlySet<number>;
  readonly dow: ReadonlySet<number>;
  /** Whether day of month / day of week was `*` or `?` (then the two are ANDed). */
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Value of names[0]. */
  nameBase?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, nameBase: 0 },
];

function value(text: string, f: FieldSpec): number {
  const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
  if (i >= 0) return i + (f.nameBase ?? 0);
  if (!/^\d+$/.test(text)) throw new Error(`${f.name}: "${text}" is not a number`);
  return Number(text);
}

/** One comma-separated part: `*`, `?`, `a`, `a-b`, each optionally `/step`. */
function part(text: string, f: FieldSpec, out: Set<number>): void {
  const [range = '', stepText] = text.split('/');
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new Error(`${f.name}: bad step in "${text}"`);
  let lo: number;
  let hi: number;
  if (range === '*' || range === '?') [lo, hi] = [f.min, f.max];
  else {
    const [a = '', b] = range.split('-');
    lo = value(a, f);
    hi = b === undefined ? (stepText === undefined ? lo : f.max) : value(b, f);
  }
  if (lo < f.min || hi > f.max || lo > hi)
    throw new Error(`${f.name}: "${text}" is outside ${f.min}-${f.max}`);
  for (let v = lo; v <= hi; v += step) out.add(v);
}

function field(text: string, f: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const p of text.split(',')) part(p, f, out);
  return out;
}

/** Parses a schedule; throws an Error saying what is wrong. */
export function parseCron(schedule: string): Cron {
  const text = DESCRIPTORS[schedule.trim().toLowerCase()] ?? schedule.trim();
  if (text.startsWith('@')) throw new Error(`unknown descriptor ${text}`);
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    throw new Error(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const sets = parts.map((p, i) => field(p, FIELDS[i] as FieldSpec));
  const star = (p: string | undefined) => p === '*' || p === '?' || (p?.startsWith('*/') ?? false);
  return {
    minute: sets[0] as Set<number>,
    hour: sets[1] as Set<number>,
    dom: sets[2] as Set<number>,
    month: sets[3] as Set<number>,
    dow: sets[4] as Set<number>,
    domStar: star(parts[2]),
    dowStar: star(parts[4]),
  };
}

/** Whether the schedule fires at this minute (UTC). */
export function firesAt(c: Cron, t: Date): boolean {
  if (!c.minute.has(t.getUTCMinutes()) || !c.hour.has(t.getUTCHours()) || !c.month.has(t.getUTCMonth() + 1))
    return false;
  const dom = c.dom.has(t.getUTCDate());
  const dow = c.dow.has(t.getUTCDay());
  return c.domStar || c.dowStar ? dom && dow : dom || dow;
}

const MINUTE = 60_000;

/**
 * Karpenter's `IsActive`: the schedule fired at some minute in (now − duration, now], so the window it
 * opened is still open.
 */
export function windowOpen(c: Cron, now: Date, durationMs: number): boolean {
  const last = Math.floor(now.getTime() / MINUTE) * MINUTE;
  for (let t = last; t > now.getTime() - durationMs; t -= MINUTE) if (firesAt(c, new Date(t))) return true;
  return false;
}
