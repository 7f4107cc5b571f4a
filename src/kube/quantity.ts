/** Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource), parsed to numbers. */

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The pattern the schemas use for a quantity string. */
export const QUANTITY_PATTERN = '^[+]?(\\d+\\.?\\d*|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\\d+)?$';

function parseString(input: string): number | null {
  const match = QUANTITY.exec(input.trim());
  if (!match) return null;
  const value = Number(match[1]);
  const suffix = match[2] ?? '';
  if (suffix.startsWith('e') || suffix.startsWith('E')) return value * 10 ** Number(suffix.slice(1));
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined ? null : value * factor;
}

// A cluster uses few distinct quantity strings; admission parses the same ones on every review.
const parsed = new Map<string, number | null>();
const MAX_PARSED = 4096;

/** Parses a quantity to its value in base units (cores, bytes); undefined when it is not a quantity. */
export function parseQuantity(input: string | number | undefined | null): number | undefined {
  if (input === undefined || input === null) return undefined;
  if (typeof input === 'number') return Number.isFinite(input) ? input : undefined;
  let value = parsed.get(input);
  if (value === undefined) {
    if (parsed.size >= MAX_PARSED) parsed.clear();
    value = parseString(input);
    parsed.set(input, value);
  }
  return value ?? undefined;
}

/** CPU in millicores, rounded up as the API server does for sub-milli values. */
export function cpuMillis(input: string | number | undefined | null): number | undefined {
  const cores = parseQuantity(input);
  return cores === undefined ? undefined : Math.ceil(Math.round(cores * 1e9) / 1e6);
}

/** Memory in MiB (fractional). */
export function memoryMiB(input: string | number | undefined | null): number | undefined {
  const bytes = parseQuantity(input);
  return bytes === undefined ? undefined : bytes / 2 ** 20;
}

export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

export function formatMemory(mib: number): string {
  if (mib >= 1024 && Number.isInteger(mib / 1024)) return `${mib / 1024}Gi`;
  return `${Math.ceil(mib)}Mi`;
}

/** Memory for people: Mi below 10Gi, else Gi with at most one decimal. */
export function humanMemory(mib: number): string {
  if (mib < 10 * 1024) return `${Math.ceil(mib)}Mi`;
  return `${Math.round((mib / 1024) * 10) / 10}Gi`;
}

/** CPU for people: millicores below 10 cores, else cores with at most two decimals. */
export function humanCpu(millis: number): string {
  if (millis < 10_000) return formatCpu(millis);
  return String(Math.round(millis / 10) / 100);
}
