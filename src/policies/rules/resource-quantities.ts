/**
 * Container resources as the API server judges them, for object-invalid: a value that is not a
 * resource.Quantity is refused when the object is decoded (k8s.io/apimachinery ParseQuantity,
 * ErrFormatWrong), before any validation; then each request and limit must be ≥ 0
 * (ValidateNonnegativeQuantity) and a request at most its limit (ValidateResourceRequirements,
 * k8s.io/kubernetes pkg/apis/core/validation). What passes here is what Berth then counts. Pure.
 */
import type { KubeObject } from '../../kube/objects.js';
import { canonicalQuantity } from '../../kube/quantity-canonical.js';
import { parseNanos, type Nanos } from '../../kube/quantity-parse.js';
import type { Finding } from './rule.js';

/** apimachinery's ErrFormatWrong, word for word. */
export const QUANTITY_FORMAT =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
type Container = { resources?: Resources };
type PodSpecLike = { containers?: Container[]; initContainers?: Container[] };

/** The pod spec of a workload or Pod, and the path the API server names it by. */
export function podSpecOf(obj: KubeObject): { path: string; spec: PodSpecLike } | undefined {
  const spec = obj.spec as
    | (PodSpecLike & {
        template?: { spec?: PodSpecLike };
        jobTemplate?: { spec?: { template?: { spec?: PodSpecLike } } };
      })
    | undefined;
  if (obj.kind === 'Pod') return spec ? { path: 'spec', spec } : undefined;
  if (obj.kind === 'CronJob') {
    const s = spec?.jobTemplate?.spec?.template?.spec;
    return s ? { path: 'spec.jobTemplate.spec.template.spec', spec: s } : undefined;
  }
  const s = spec?.template?.spec;
  return s ? { path: 'spec.template.spec', spec: s } : undefined;
}

/** A quantity as the API server reads it from JSON: a string with surrounding spaces trimmed, or a number. */
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

const less = (a: Nanos, b: Nanos): boolean =>
  typeof a === 'bigint' && typeof b === 'bigint' ? a < b : Number(a) < Number(b);

/** Each container's resources with their paths. */
function containers(p: { path: string; spec: PodSpecLike }): { path: string; resources: Resources }[] {
  const out: { path: string; resources: Resources }[] = [];
  for (const field of ['initContainers', 'containers'] as const)
    (p.spec[field] ?? []).forEach((c, i) => {
      if (c.resources) out.push({ path: `${p.path}.${field}[${i}].resources`, resources: c.resources });
    });
  return out;
}

/** A value that is no quantity: the object cannot be decoded, so nothing else is judged. */
function undecodable(list: ReturnType<typeof containers>): Finding | undefined {
  for (const { path, resources } of list)
    for (const kind of ['requests', 'limits'] as const)
      for (const [name, v] of Object.entries(resources[kind] ?? {})) {
        const s = text(v);
        if (s === undefined || parseNanos(s) === null)
          return {
            what: `${path}.${kind}[${name}]: ${JSON.stringify(v)}: ${QUANTITY_FORMAT} (the API server cannot decode the object)`,
            fix: `write ${name} as a Kubernetes quantity: 500m or 0.5 CPU, 512Mi or 1Gi of memory (Mi and Gi are powers of 2; M and G powers of 10; not MB)`,
          };
      }
  return undefined;
}

/** The API server's field errors for requests and limits that decode. */
function fieldErrors(list: ReturnType<typeof containers>): string[] {
  const errors: string[] = [];
  for (const { path, resources } of list) {
    const parsed = (kind: 'requests' | 'limits') =>
      new Map(
        Object.entries(resources[kind] ?? {}).map(([k, v]) => [
          k,
          { s: text(v) ?? '', n: parseNanos(text(v) ?? '') ?? 0n },
        ]),
      );
    const requests = parsed('requests');
    const limits = parsed('limits');
    for (const [kind, m] of [
      ['limits', limits],
      ['requests', requests],
    ] as const)
      for (const [name, q] of m)
        if (less(q.n, 0n))
          errors.push(
            `${path}.${kind}[${name}]: Invalid value: "${canonicalQuantity(q.s)}": must be greater than or equal to 0`,
          );
    for (const [name, q] of requests) {
      const limit = limits.get(name);
      // The API server names the requests (not the one resource) and prints both values canonically.
      if (limit && !less(q.n, 0n) && less(limit.n, q.n))
        errors.push(
          `${path}.requests: Invalid value: "${canonicalQuantity(q.s)}": must be less than or equal to ${name} limit of ${canonicalQuantity(limit.s)}`,
        );
    }
  }
  return errors;
}

/** What the API server answers on create about the object's container resources, if it refuses them. */
export function resourceRefusal(obj: KubeObject): Finding | undefined {
  const p = podSpecOf(obj);
  if (!p) return undefined;
  const list = containers(p);
  if (list.length === 0) return undefined;
  const decode = undecodable(list);
  if (decode) return decode;
  const errors = fieldErrors(list);
  if (errors.length === 0) return undefined;
  return {
    what: `${errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`} (the API server refuses the object)`,
    fix: 'requests and limits are at least 0, and a request at most its limit',
  };
}
