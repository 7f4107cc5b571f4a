/**
 * CEL standard-library overloads the evaluator (@marcbachmann/cel-js 8) lacks and Kubernetes'
 * policies use: int(uint), int(timestamp), string(timestamp), string(duration), the identity
 * conversions timestamp(timestamp) and duration(duration), and the order of bytes. Timestamps are
 * the evaluator's (JavaScript Dates: millisecond precision). Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';

const TS = 'google.protobuf.Timestamp';
const DUR = 'google.protobuf.Duration';
const INT64_MAX = 9223372036854775807n;

interface Unsigned {
  readonly value: bigint;
}
interface Duration {
  readonly seconds: bigint;
  readonly nanos: number;
}

/** RFC 3339 as cel-go prints a timestamp: UTC, `Z`, fractional seconds only when there are some. */
export function timestampString(d: Date): string {
  return d
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/(\.\d*?)0+Z$/, '$1Z');
}

/** A duration as cel-go prints it: seconds with up to nine decimals, then `s`. */
export function durationString(d: Duration): string {
  const nanos = Math.abs(d.nanos);
  const neg = d.seconds < 0n || d.nanos < 0;
  const secs = d.seconds < 0n ? -d.seconds : d.seconds;
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${neg ? '-' : ''}${secs}${frac}s`;
}

function intOfUint(u: Unsigned): bigint {
  if (u.value > INT64_MAX) throw new Error('integer overflow');
  return u.value;
}

export function registerConversions(env: Environment): Environment {
  return env
    .registerFunction('int(uint): int', intOfUint)
    .registerFunction(`int(${TS}): int`, (d: Date) => BigInt(Math.floor(d.getTime() / 1000)))
    .registerFunction(`string(${TS}): string`, timestampString)
    .registerFunction(`string(${DUR}): string`, durationString)
    .registerFunction(`timestamp(${TS}): ${TS}`, (d: Date) => d)
    .registerFunction(`duration(${DUR}): ${DUR}`, (d: Duration) => d)
    .registerOperator('bytes < bytes', (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) < 0)
    .registerOperator('bytes <= bytes', (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) <= 0)
    .registerOperator('bytes > bytes', (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) > 0)
    .registerOperator('bytes >= bytes', (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) >= 0);
}
