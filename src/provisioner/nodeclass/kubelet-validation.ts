/**
 * EC2NodeClass spec.kubelet as Karpenter v1.15 validates it (aws/karpenter-provider-aws
 * pkg/apis/v1/kubeletconfiguration_validation.go ValidateKubeletConfig): since v1.15 the field is an
 * open map the API server does not check, decoded against the kubelet's own KubeletConfiguration
 * (unknown fields, wrong types), then its semantic rules. The errors become the class's
 * `ValidationSucceeded=False` (reason InvalidKubeletConfiguration), which keeps it from launching.
 * Messages word for word. Pure.
 */
import { parseGoDuration } from '../../util/go-duration.js';
import { parseQuantity } from '../../kube/quantity.js';
import { KUBELET_FIELDS } from './kubelet-fields.js';

const EVICTION_SIGNALS = [
  'memory.available',
  'nodefs.available',
  'nodefs.inodesFree',
  'imagefs.available',
  'imagefs.inodesFree',
  'pid.available',
];
const RESERVED = ['cpu', 'memory', 'ephemeral-storage', 'pid'];
const OWNED: Readonly<Record<string, string>> = {
  registerWithTaints:
    "Karpenter sets it from the NodeClaim's taints so the node registers unschedulable until it's ready",
};

type Kc = Readonly<Record<string, unknown>>;

const INT_RANGE: Readonly<Record<string, [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** The JSON value's name in Go's UnmarshalTypeError (`string`, `number 1.5`, `object`, …). */
function jsonKind(v: unknown): string {
  if (typeof v === 'number') return `number ${String(v)}`;
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

const typeError = (v: unknown, field: string, goType: string) =>
  `spec.kubelet: json: cannot unmarshal ${jsonKind(v).replace(/^number .*/, (n) => (goType.startsWith('int') ? n : 'number'))} into Go struct field KubeletConfiguration.${field} of type ${goType}`;

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each element (a list's, a map's values) is a string, or the first that is not. */
const firstNonString = (xs: readonly unknown[]): unknown =>
  xs.find((x) => typeof x !== 'string' && x !== null);

function intProblem(field: string, t: string, v: unknown): string | undefined {
  const [lo, hi] = INT_RANGE[t] ?? [0, 0];
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi
    ? undefined
    : typeError(v, field, t);
}

function durationProblem(field: string, v: unknown): string | undefined {
  if (typeof v !== 'string') return typeError(v, field, 'string');
  return parseGoDuration(v) === undefined ? `spec.kubelet: time: invalid duration "${v}"` : undefined;
}

function containerProblem(field: string, t: string, v: unknown): string | undefined {
  if (t === 'map[string]string' || t === '[]string') {
    const ok = t === '[]string' ? Array.isArray(v) : isMap(v);
    if (!ok) return typeError(v, field, t);
    const bad = firstNonString(Array.isArray(v) ? v : Object.values(v as Record<string, unknown>));
    return bad === undefined ? undefined : typeError(bad, field, 'string');
  }
  if (t.startsWith('[]')) return Array.isArray(v) ? undefined : typeError(v, field, t);
  return isMap(v) ? undefined : typeError(v, field, t.replace(/^v1\./, 'v1beta1.'));
}

/** Whether `v` decodes into the Go type; the error, if not (the first only, as Go's decoder says it). */
function typeProblem(field: string, goType: string, v: unknown): string | undefined {
  if (v === null) return undefined;
  const t = goType.replace(/^\*/, '');
  if (INT_RANGE[t]) return intProblem(field, t, v);
  if (t === 'bool') return typeof v === 'boolean' ? undefined : typeError(v, field, t);
  if (t === 'float64') return typeof v === 'number' ? undefined : typeError(v, field, t);
  if (t === 'metav1.Duration') return durationProblem(field, v);
  // Maps, lists and structs; string and named string types (policies, strategies) otherwise.
  if (t.startsWith('map[') || t.startsWith('[]') || !/^[a-z]/.test(t) || t.includes('.'))
    return containerProblem(field, t, v);
  return typeof v === 'string' ? undefined : typeError(v, field, t);
}

/** validateAgainstUpstreamType: a type error alone, else every unknown field (sorted, as Go marshals a map). */
function upstreamProblems(kc: Kc): string[] {
  const keys = Object.keys(kc).sort();
  for (const k of keys) {
    const goType = KUBELET_FIELDS[k];
    // maxPods may hold a CEL expression (NodeClassCEL): its shape is checked where it is evaluated.
    if (goType === undefined || (k === 'maxPods' && typeof kc[k] === 'string')) continue;
    const problem = typeProblem(k, goType, kc[k]);
    if (problem !== undefined) return [problem];
  }
  return keys.filter((k) => KUBELET_FIELDS[k] === undefined).map((k) => `spec.kubelet: unknown field "${k}"`);
}

const stringMap = (kc: Kc, field: string): Record<string, string> | undefined => {
  const v = kc[field];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  return Object.values(v).every((x) => typeof x === 'string') ? (v as Record<string, string>) : undefined;
};
const intOf = (kc: Kc, field: string): number | undefined => {
  const v = kc[field];
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
};
const sorted = (m: Record<string, string> | undefined) => Object.keys(m ?? {}).sort();

function thresholdProblem(field: string, key: string, value: string): string | undefined {
  if (value.endsWith('%')) {
    const pct = value.slice(0, -1);
    const v = Number(pct);
    return pct === '' || !Number.isFinite(v) || v < 0 || v > 100
      ? `spec.kubelet.${field}[${key}]: "${value}" must be a percentage or a resource quantity`
      : undefined;
  }
  const q = parseQuantity(value);
  if (q === undefined)
    return `spec.kubelet.${field}[${key}]: "${value}" must be a percentage or a resource quantity`;
  return q < 0
    ? `spec.kubelet.${field}[${key}]: "${value}" can't be a negative resource quantity`
    : undefined;
}

function gracePeriodProblem(field: string, key: string, value: string): string | undefined {
  const ms = value.startsWith('-') ? parseGoDuration(value.slice(1)) : parseGoDuration(value);
  if (ms === undefined) return `spec.kubelet.${field}[${key}]: "${value}" must be a duration`;
  return value.startsWith('-') && ms > 0
    ? `spec.kubelet.${field}[${key}]: "${value}" can't be a negative duration`
    : undefined;
}

function evictionProblems(kc: Kc): string[] {
  const errs: string[] = [];
  for (const field of ['evictionHard', 'evictionSoft', 'evictionSoftGracePeriod', 'evictionMinimumReclaim']) {
    const signals = stringMap(kc, field);
    for (const key of sorted(signals)) {
      const value = signals?.[key] ?? '';
      if (!EVICTION_SIGNALS.includes(key))
        errs.push(
          `spec.kubelet.${field}: "${key}" isn't a valid eviction signal, must be one of ${EVICTION_SIGNALS.join(', ')}`,
        );
      const bad =
        field === 'evictionSoftGracePeriod'
          ? gracePeriodProblem(field, key, value)
          : thresholdProblem(field, key, value);
      if (bad !== undefined) errs.push(bad);
    }
  }
  const soft = stringMap(kc, 'evictionSoft') ?? {};
  const grace = stringMap(kc, 'evictionSoftGracePeriod') ?? {};
  for (const s of sorted(soft))
    if (!(s in grace)) errs.push(`spec.kubelet.evictionSoft[${s}]: has no matching evictionSoftGracePeriod`);
  for (const s of sorted(grace))
    if (!(s in soft)) errs.push(`spec.kubelet.evictionSoftGracePeriod[${s}]: has no matching evictionSoft`);
  return errs;
}

function reservedProblems(kc: Kc): string[] {
  const errs: string[] = [];
  for (const field of ['kubeReserved', 'systemReserved']) {
    const reserved = stringMap(kc, field);
    for (const key of sorted(reserved)) {
      if (!RESERVED.includes(key))
        errs.push(
          `spec.kubelet.${field}: "${key}" isn't a reservable resource, must be one of ${RESERVED.join(', ')}`,
        );
      const value = reserved?.[key] ?? '';
      if (value.startsWith('-'))
        errs.push(`spec.kubelet.${field}[${key}]: "${value}" can't be a negative resource quantity`);
    }
  }
  return errs;
}

function numberProblems(kc: Kc): string[] {
  const errs: string[] = [];
  for (const field of ['imageGCHighThresholdPercent', 'imageGCLowThresholdPercent']) {
    const v = intOf(kc, field);
    if (v !== undefined && (v < 0 || v > 100))
      errs.push(`spec.kubelet.${field}: ${v} must be between 0 and 100`);
  }
  for (const field of ['podsPerCore', 'evictionMaxPodGracePeriod']) {
    const v = intOf(kc, field);
    if (v !== undefined && v < 0) errs.push(`spec.kubelet.${field}: ${v} can't be negative`);
  }
  const maxPods = intOf(kc, 'maxPods');
  if (maxPods !== undefined && maxPods < 0) errs.push(`spec.kubelet.maxPods: ${maxPods} can't be negative`);
  const high = intOf(kc, 'imageGCHighThresholdPercent');
  const low = intOf(kc, 'imageGCLowThresholdPercent');
  if (high !== undefined && low !== undefined && high <= low)
    errs.push(
      `spec.kubelet: imageGCHighThresholdPercent (${high}) must be greater than imageGCLowThresholdPercent (${low})`,
    );
  return errs;
}

/** ValidateKubeletConfig: every reason spec.kubelet is refused, in Karpenter's order; none when valid. */
export function validateKubeletConfig(kubelet: unknown): string[] {
  if (kubelet === undefined || kubelet === null) return [];
  if (typeof kubelet !== 'object' || Array.isArray(kubelet))
    return [
      `spec.kubelet: json: cannot unmarshal ${jsonKind(kubelet)} into Go value of type v1beta1.KubeletConfiguration`,
    ];
  const kc = kubelet as Kc;
  if (Object.keys(kc).length === 0) return [];
  const owned = Object.keys(OWNED)
    .sort()
    .filter((f) => f in kc)
    .map((f) => `spec.kubelet.${f}: can't be set, ${OWNED[f] ?? ''}`);
  return [
    ...upstreamProblems(kc),
    ...owned,
    ...evictionProblems(kc),
    ...reservedProblems(kc),
    ...numberProblems(kc),
  ];
}
