/** Go durations as NodePools write them (`30s`, `10m`, `1h30m`, `720h`), and Karpenter's `Never`. */

const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};

/** Milliseconds; `Infinity` for `Never`; undefined when the text is not a duration. */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'Never') return Number.POSITIVE_INFINITY;
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    end = re.lastIndex;
  }
  return end === text.length && end > 0 ? total : undefined;
}
