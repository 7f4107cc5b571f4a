/**
 * cel-spec's conformance cases (google/cel-spec v0.25.1, as @bufbuild/cel-spec carries them) for the
 * features Kubernetes' CEL environment enables, run through Berth's environment (src/cel/env.ts):
 * each case's expression, bindings and expected value or error. Protobuf message types, which
 * Kubernetes' policies never see, are left out, as are the suites of extensions Kubernetes does not
 * enable (bindings, block, encoders, math, protos).
 */
import { tests } from '@bufbuild/cel-spec/testdata/conformance.js';
import { Environment } from '@marcbachmann/cel-js';
import { kubernetesEnvironment } from '../../src/cel/env.js';
import { routeMatches } from '../../src/cel/regex.js';

export const K8S_SUITES = [
  'basic',
  'comparisons',
  'conversions',
  'fields',
  'fp_math',
  'integer_math',
  'lists',
  'logic',
  'macros',
  'macros2',
  'optionals',
  'parse',
  'plumbing',
  'string',
  'string_ext',
  'timestamps',
];

type Json = Record<string, unknown>;
interface Serialized {
  name?: string;
  suites?: Serialized[];
  tests?: { original: Json }[];
}

export interface Case {
  id: string;
  expr: string;
  bindings: Record<string, Json>;
  want: { value: unknown } | { error: true };
}

const PROTO = /TestAllTypes|NestedTestAllTypes|google\.protobuf\.|cel\.expr\.|proto[23]/;

function collect(s: Serialized, path: string, out: Case[]): void {
  for (const t of s.tests ?? []) {
    const o = t.original;
    const text = JSON.stringify(o);
    if (PROTO.test(text) || o.container !== undefined || o.disableMacros !== undefined) continue;
    const isError = o.evalError !== undefined || o.anyEvalErrors !== undefined;
    if (!isError && o.value === undefined) continue;
    const bindings: Record<string, Json> = {};
    for (const [k, b] of Object.entries((o.bindings ?? {}) as Record<string, Json>)) {
      if (b.value === undefined) continue;
      bindings[k] = b.value as Json;
    }
    out.push({
      id: `${path}/${String(o.name)}`,
      expr: String(o.expr),
      bindings,
      want: isError ? { error: true } : { value: o.value },
    });
  }
  for (const x of s.suites ?? []) collect(x, `${path}/${x.name ?? ''}`, out);
}

export function k8sCases(): Case[] {
  const out: Case[] = [];
  for (const suite of (tests as Serialized).suites ?? [])
    if (K8S_SUITES.includes(suite.name ?? '')) collect(suite, suite.name ?? '', out);
  return out;
}

/** A value in one canonical JSON shape, from cel-spec's proto JSON or from the evaluator. */
export function canonExpected(v: Json): unknown {
  if ('int64Value' in v) return { i: String(v.int64Value) };
  if ('uint64Value' in v) return { u: String(v.uint64Value) };
  if ('doubleValue' in v) return { d: Number(v.doubleValue) };
  if ('stringValue' in v) return { s: v.stringValue };
  if ('boolValue' in v) return { b: v.boolValue };
  if ('bytesValue' in v) return { y: Buffer.from(String(v.bytesValue), 'base64').toString('hex') };
  if ('nullValue' in v) return { n: null };
  if ('listValue' in v) return { l: (((v.listValue as Json).values ?? []) as Json[]).map(canonExpected) };
  if ('mapValue' in v) {
    const entries = (((v.mapValue as Json).entries ?? []) as { key: Json; value: Json }[]).map(
      (e) => [JSON.stringify(canonExpected(e.key)), canonExpected(e.value)] as const,
    );
    return { m: entries.sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
  }
  if ('typeValue' in v) return { t: v.typeValue };
  return { other: v };
}

export function canonActual(v: unknown): unknown {
  if (typeof v === 'bigint') return { i: String(v) };
  if (typeof v === 'number') return { d: v };
  if (typeof v === 'string') return { s: v };
  if (typeof v === 'boolean') return { b: v };
  if (v === null) return { n: null };
  if (v instanceof Uint8Array) return { y: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return { l: v.map(canonActual) };
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  if (name === 'UnsignedInt' || name === 'UnsignedInteger')
    return { u: String((v as { value: unknown }).value) };
  if (name === 'Type') return { t: (v as { toString(): string }).toString().replace(/^Type<(.*)>$/, '$1') };
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as Json);
  return {
    m: entries
      .map(([k, x]) => [JSON.stringify(canonActual(k)), canonActual(x)] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1)),
  };
}

function input(v: Json, uint: (n: bigint) => unknown): unknown {
  if ('int64Value' in v) return BigInt(String(v.int64Value));
  if ('uint64Value' in v) return uint(BigInt(String(v.uint64Value)));
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('bytesValue' in v) return new Uint8Array(Buffer.from(String(v.bytesValue), 'base64'));
  if ('nullValue' in v) return null;
  if ('listValue' in v) return (((v.listValue as Json).values ?? []) as Json[]).map((x) => input(x, uint));
  if ('mapValue' in v)
    return new Map(
      (((v.mapValue as Json).entries ?? []) as { key: Json; value: Json }[]).map((e) => [
        input(e.key, uint),
        input(e.value, uint),
      ]),
    );
  throw new Error('unsupported binding');
}

const numberSafe = (_k: string, x: unknown): unknown =>
  typeof x === 'number' && Number.isNaN(x) ? 'NaN' : x;

/** Runs a case; undefined when it passes, else what went wrong. */
export function runCase(env: Environment, c: Case): string | undefined {
  const uintCtor = (env.evaluate('1u') as object).constructor as new (n: bigint) => unknown;
  let got: unknown;
  try {
    const vars = Object.fromEntries(
      Object.entries(c.bindings).map(([k, v]) => [k, input(v, (n) => new uintCtor(n))]),
    );
    got = canonActual(env.evaluate(routeMatches(c.expr), vars));
  } catch (e) {
    if ('error' in c.want) return undefined;
    return `error: ${((e as Error).message.split('\n')[0] ?? '').slice(0, 160)}`;
  }
  if ('error' in c.want) return `want an error, got ${JSON.stringify(got, numberSafe)}`;
  const want = canonExpected(c.want.value as Json);
  if (JSON.stringify(got, numberSafe) === JSON.stringify(want, numberSafe)) return undefined;
  return `got ${JSON.stringify(got, numberSafe)}, want ${JSON.stringify(want, numberSafe)}`;
}

/** Berth's environment, with the conformance cases' free variables as dyn. */
export function conformanceEnv(): Environment {
  const names = new Set(k8sCases().flatMap((c) => Object.keys(c.bindings)));
  return kubernetesEnvironment([...names]);
}
