/**
 * `"…".format([args])` as cel-go's ext.Strings formats (ext/formatting.go): %s, %d, %f, %e, %b, %o,
 * %x, %X and %%, with a precision for %f and %e (default 6). Pure.
 */
import { durationString, timestampString } from './conversions.js';
import { celTypeName } from './values.js';

/** The evaluator's uint, duration and type values, by their shape. */
const ctorName = (v: unknown): string | undefined =>
  typeof v === 'object' && v !== null ? v.constructor.name : undefined;
const unsigned = (v: unknown): bigint | undefined =>
  ctorName(v) === 'UnsignedInt' ? (v as { value: bigint }).value : undefined;

function special(v: unknown): string | undefined {
  const u = unsigned(v);
  if (u !== undefined) return String(u);
  if (v instanceof Date) return timestampString(v);
  const name = ctorName(v);
  if (name === 'Duration') return durationString(v as { seconds: bigint; nanos: number });
  if (name === 'Type') return String(v).replace(/^Type<(.*)>$/, '$1');
  return undefined;
}

function asString(v: unknown): string {
  if (typeof v === 'string') return v;
  const s = special(v);
  if (s !== undefined) return s;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return formatDouble(v);
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return `[${v.map(asLiteral).join(', ')}]`;
  if (v instanceof Map) return mapString([...v.entries()]);
  if (typeof v === 'object') return mapString(Object.entries(v as Record<string, unknown>));
  return typeof v === 'symbol' ? v.toString() : '';
}

function mapString(entries: [unknown, unknown][]): string {
  const parts = entries
    .map(([k, x]) => [asLiteral(k), asLiteral(x)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, x]) => `${k}: ${x}`);
  return `{${parts.join(', ')}}`;
}

function asLiteral(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : asString(v);
}

function formatDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return String(v);
}

function fixed(v: unknown, precision: number, exp: boolean): string {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number')
    throw new Error(
      `error during formatting: fixed-point clause can only be used on doubles, was given ${celTypeName(v)}`,
    );
  if (!Number.isFinite(n)) return formatDouble(n);
  if (!exp) return halfEven(n, precision);
  const [m, e = '0'] = n.toExponential(precision).split('e');
  const en = Number(e);
  return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
}

/** Go's %f: an exact half rounds to the even neighbour. */
function halfEven(n: number, precision: number): string {
  const scaled = n * 10 ** precision;
  if (Math.abs(scaled % 1) === 0.5) {
    const down = Math.trunc(scaled);
    const even = down % 2 === 0 ? down : down + Math.sign(scaled);
    return (even / 10 ** precision).toFixed(precision);
  }
  return n.toFixed(precision);
}

const RADIX_NAMES: Record<number, string> = { 2: 'binary', 8: 'octal', 16: 'hex' };

function wholeNumber(v: unknown): bigint | number | undefined {
  const u = unsigned(v);
  if (u !== undefined) return u;
  if (typeof v === 'bigint') return v;
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

function integerIn(v: unknown, radix: number, verb: string): string {
  const n = wholeNumber(v);
  if (n !== undefined) return n.toString(radix);
  const hex = verb === 'x' || verb === 'X';
  if (hex && typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
  if (hex && v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (verb === 'b' && typeof v === 'boolean') return v ? '1' : '0';
  throw new Error(
    `error during formatting: only integers${hex ? ', byte buffers, and strings' : ''} can be formatted as ${RADIX_NAMES[radix] ?? 'hex'}, was given ${celTypeName(v)}`,
  );
}

function decimal(v: unknown): string {
  if (typeof v === 'bigint' || unsigned(v) !== undefined) return String(unsigned(v) ?? v);
  if (typeof v === 'number' && !Number.isFinite(v)) return formatDouble(v);
  throw new Error(
    `error during formatting: decimal clause can only be used on integers, was given ${celTypeName(v)}`,
  );
}

const VERBS: Record<string, (v: unknown, precision: number | undefined) => string> = {
  s: (v) => asString(v),
  d: (v) => decimal(v),
  f: (v, p) => fixed(v, p ?? 6, false),
  e: (v, p) => fixed(v, p ?? 6, true),
  b: (v) => integerIn(v, 2, 'b'),
  o: (v) => integerIn(v, 8, 'o'),
  x: (v) => integerIn(v, 16, 'x'),
  X: (v) => integerIn(v, 16, 'X').toUpperCase(),
};

function verbOf(verb: string, v: unknown, precision: number | undefined): string {
  const f = VERBS[verb];
  if (!f) throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  return f(v, precision);
}

export function formatString(format: string, args: readonly unknown[]): string {
  let out = '';
  let arg = 0;
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] ?? '';
    if (ch !== '%') {
      out += ch;
      continue;
    }
    if (format[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    const m = /^(?:\.(\d+))?([a-zA-Z])/.exec(format.slice(i + 1));
    if (!m) throw new Error('could not parse formatting clause: unexpected end of string');
    i += m[0].length;
    if (arg >= args.length) throw new Error(`index ${arg} out of range`);
    out += verbOf(m[2] ?? '', args[arg++], m[1] === undefined ? undefined : Number(m[1]));
  }
  return out;
}
