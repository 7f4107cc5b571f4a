/**
 * `"…".format([args])` as cel-go's ext.Strings formats (ext/formatting.go): %s, %d, %f, %e, %b, %o,
 * %x, %X and %%, with a precision for %f and %e (default 6). Pure.
 */
import { celTypeName } from './values.js';

function asString(v: unknown): string {
  if (typeof v === 'string') return v;
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
  if (!exp) return n.toFixed(precision);
  const [m, e = '0'] = n.toExponential(precision).split('e');
  const en = Number(e);
  return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
}

function integerIn(v: unknown, radix: number, verb: string): string {
  if (typeof v === 'bigint') return v.toString(radix);
  if (typeof v === 'number' && Number.isInteger(v)) return v.toString(radix);
  if (verb === 'x' || verb === 'X') {
    if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  }
  if (verb === 'b' && typeof v === 'boolean') return v ? '1' : '0';
  throw new Error(
    `error during formatting: only integers${verb === 'x' || verb === 'X' ? ', byte buffers, and strings' : ''} can be formatted as ${radix === 2 ? 'binary' : radix === 8 ? 'octal' : 'hex'}, was given ${celTypeName(v)}`,
  );
}

function verbOf(verb: string, v: unknown, precision: number | undefined): string {
  switch (verb) {
    case 's':
      return asString(v);
    case 'd':
      if (typeof v === 'bigint') return String(v);
      if (typeof v === 'number' && !Number.isFinite(v)) return formatDouble(v);
      throw new Error(
        `error during formatting: decimal clause can only be used on integers, was given ${celTypeName(v)}`,
      );
    case 'f':
      return fixed(v, precision ?? 6, false);
    case 'e':
      return fixed(v, precision ?? 6, true);
    case 'b':
      return integerIn(v, 2, verb);
    case 'o':
      return integerIn(v, 8, verb);
    case 'x':
      return integerIn(v, 16, verb);
    case 'X':
      return integerIn(v, 16, verb).toUpperCase();
    default:
      throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  }
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
