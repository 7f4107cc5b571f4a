/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource) as numbers: parsed exactly
 * (quantity-parse.ts), then in base units (cores, bytes), millicores and MiB.
 */
import { nanosToNumber, parseNanos } from './quantity-parse.js';

/** The pattern the schemas use for a quantity string. */
export const QUANTITY_PATTERN = '^[+]?(\\d+\\.?\\d*|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\\d+)?$';

/** As the API server reads a quantity from JSON: surrounding spaces trimmed, then ParseQuantity. */
function parseString(input: string): number | null {
  const nanos = parseNanos(input.trim());
  return nanos === null ? null : nanosToNumber(nanos);
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

const LARGE_UNITS: readonly [string, number][] = [
  ['Ei', 2 ** 40],
  ['Pi', 2 ** 30],
  ['Ti', 2 ** 20],
];

/** Memory for people: Mi below 10Gi, Gi below 10Ti, then the largest binary unit, one decimal at most. */
export function humanMemory(mib: number): string {
  if (!Number.isFinite(mib)) return mib > 0 ? 'more than 8Ei' : `${mib}Mi`;
  if (mib < 10 * 1024) return `${Math.ceil(mib)}Mi`;
  for (const [unit, size] of LARGE_UNITS)
    if (mib >= size && (unit !== 'Ti' || mib >= 10 * size))
      return `${Math.round((mib / size) * 10) / 10}${unit}`;
  return `${Math.round((mib / 1024) * 10) / 10}Gi`;
}

/** CPU for people: millicores below 10 cores, else cores with at most two decimals. */
export function humanCpu(millis: number): string {
  if (millis < 10_000) return formatCpu(millis);
  return String(Math.round(millis / 10) / 100);
}
