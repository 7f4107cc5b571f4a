/**
 * A quantity as the API server prints it back (k8s.io/apimachinery resource.Quantity String, i.e.
 * CanonicalizeBytes): in its own format — binary (Ki…Ei) when written so, is whole and at least 1024
 * in magnitude; decimal SI (n…E) or exponent (e3) otherwise — with an integer mantissa and the largest
 * suffix that keeps it whole: `-0.5Gi` is `-512Mi`, `2.5` is `2500m`, `1000m` is `1`. Error messages
 * quote values this way, so Berth's words match the API server's. Pure.
 */
import { parseNanos } from './quantity-parse.js';

const BINARY = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const DECIMAL: Readonly<Record<number, string>> = {
  [-9]: 'n',
  [-6]: 'u',
  [-3]: 'm',
  0: '',
  3: 'k',
  6: 'M',
  9: 'G',
  12: 'T',
  15: 'P',
  18: 'E',
};
const NANO = 10n ** 9n;

type Format = 'binary' | 'decimal' | 'exponent';

function formatOf(str: string): Format {
  const suffix = /^[+-]?[0-9.]*(.*)$/.exec(str.trim())?.[1] ?? '';
  if (/^[KMGTPE]i$/.test(suffix)) return 'binary';
  if (/^[eE][+-]?\d+$/.test(suffix)) return 'exponent';
  return 'decimal';
}

/** Mantissa × 10^e with e a multiple of 3 (≥ −9) as large as keeps the mantissa whole. */
function decimal(abs: bigint, format: Format): string {
  if (abs === 0n) return '0';
  let e = -9;
  let m = abs;
  while (m % 1000n === 0n) {
    m /= 1000n;
    e += 3;
  }
  if (format === 'exponent') return e === 0 ? `${m}` : `${m}e${e}`;
  const suffix = DECIMAL[e];
  return suffix !== undefined ? `${m}${suffix}` : `${m}e${e}`;
}

/** The canonical string of a quantity, or the input when it is not one (or too large to be exact). */
export function canonicalQuantity(str: string): string {
  const nanos = parseNanos(str.trim());
  if (nanos === null || typeof nanos === 'number') return str;
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  let format = formatOf(str);
  if (format === 'binary' && (abs < 1024n * NANO || abs % NANO !== 0n)) format = 'decimal';
  let out: string;
  if (format === 'binary') {
    let n = abs / NANO;
    let i = 0;
    while (i < BINARY.length - 1 && n % 1024n === 0n) {
      n /= 1024n;
      i++;
    }
    out = `${n}${BINARY[i] ?? ''}`;
  } else out = decimal(abs, format);
  return negative && out !== '0' ? `-${out}` : out;
}
