/**
 * An EC2NodeClass's kubelet expressions (Karpenter v1.15, NodeClassCEL): `maxPods`, and values of
 * `kubeReserved` / `systemReserved` that are not quantities, are CEL evaluated per instance type, as
 * aws/karpenter-provider-aws pkg/cel/environment.go evaluates them: variables `vcpus`, `memory_mib`,
 * `default_enis`, `ips_per_eni`, `max_pods` (ints) and `instance_type` (string), `max` and `min` over
 * ints and doubles; an expression must return int or double (a double is truncated). A reservation's
 * result is in the field's unit: cpu millicores (rounded up to 10m), memory MiB (up to 16Mi),
 * ephemeral-storage GiB, pid a count. Berth evaluates them whenever they are written (Karpenter
 * behind its alpha NodeClassCEL gate). Pure.
 */
import { Environment } from '@marcbachmann/cel-js';
import { parseQuantity } from '../kube/quantity.js';

export interface InstanceTypeVars {
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly defaultEnis: number;
  readonly ipsPerEni: number;
  readonly maxPods: number;
  readonly instanceType: string;
}

type Num = bigint | number;
const big = (a: Num, b: Num): [number, number] => [Number(a), Number(b)];

/** The environment the expressions compile in (its variables and functions only; no I/O). */
const ENV = new Environment()
  .registerVariable('vcpus', 'int')
  .registerVariable('memory_mib', 'int')
  .registerVariable('default_enis', 'int')
  .registerVariable('ips_per_eni', 'int')
  .registerVariable('max_pods', 'int')
  .registerVariable('instance_type', 'string')
  .registerFunction('max(int, int): int', (a: bigint, b: bigint) => (a > b ? a : b))
  .registerFunction('max(double, double): double', (a: number, b: number) => Math.max(a, b))
  .registerFunction('max(int, double): double', (a: Num, b: Num) => Math.max(...big(a, b)))
  .registerFunction('max(double, int): double', (a: Num, b: Num) => Math.max(...big(a, b)))
  .registerFunction('min(int, int): int', (a: bigint, b: bigint) => (a < b ? a : b))
  .registerFunction('min(double, double): double', (a: number, b: number) => Math.min(a, b))
  .registerFunction('min(int, double): double', (a: Num, b: Num) => Math.min(...big(a, b)))
  .registerFunction('min(double, int): double', (a: Num, b: Num) => Math.min(...big(a, b)));

const firstLine = (m: string): string => m.split('\n')[0] ?? m;

/**
 * Why an expression cannot be used (it does not compile, or returns neither int nor double), or
 * undefined; in the shape of Karpenter's error (the compiler's own words differ: cel-go's are not ours).
 */
export function expressionProblem(expression: string): string | undefined {
  const checked = ENV.check(expression);
  if (!checked.valid)
    return `compiling expression, ${firstLine(checked.error?.message ?? 'invalid')} (expression=${expression})`;
  if (checked.type !== 'int' && checked.type !== 'double')
    return `expression must return int or double (expression=${expression}, output-type=${String(checked.type)})`;
  return undefined;
}

/** The expression's value for one instance type (an integer), or why not. */
export function evaluateExpression(
  expression: string,
  v: InstanceTypeVars,
): { ok: true; value: number } | { ok: false; error: string } {
  const problem = expressionProblem(expression);
  if (problem !== undefined) return { ok: false, error: problem };
  let out: unknown;
  try {
    out = ENV.evaluate(expression, {
      vcpus: BigInt(v.vcpus),
      memory_mib: BigInt(v.memoryMiB),
      default_enis: BigInt(v.defaultEnis),
      ips_per_eni: BigInt(v.ipsPerEni),
      max_pods: BigInt(v.maxPods),
      instance_type: v.instanceType,
    });
  } catch (e) {
    return { ok: false, error: `evaluating expression, ${firstLine((e as Error).message)}` };
  }
  if (typeof out === 'bigint') return { ok: true, value: Number(out) };
  if (typeof out === 'number')
    return Number.isFinite(out)
      ? { ok: true, value: Math.trunc(out) }
      : { ok: false, error: 'expression returned a non-finite value' };
  return { ok: false, error: 'expression returned an unexpected type' };
}

const roundUp = (value: number, step: number): number =>
  value <= 0 || value % step === 0 ? value : (Math.floor(value / step) + 1) * step;

/** formatResourceResult: the result as a quantity in the field's unit. */
export function formatResourceResult(key: string, result: number): string {
  if (key === 'cpu') return `${roundUp(result, 10)}m`;
  if (key === 'memory') return `${roundUp(result, 16)}Mi`;
  if (key === 'ephemeral-storage') return `${result}Gi`;
  return String(result);
}

/** Whether a kubelet value is an expression: maxPods a string, a reservation not a quantity. */
export const isExpression = (value: unknown): value is string =>
  typeof value === 'string' && parseQuantity(value) === undefined;

/**
 * ResolveResourceMap: quantities pass through; each expression is replaced by its result, and an
 * entry whose expression fails or is negative is dropped (the family's default then applies).
 */
export function resolveResourceMap(
  map: Readonly<Record<string, string>>,
  vars: () => InstanceTypeVars,
): Record<string, string> {
  const out: Record<string, string> = {};
  let v: InstanceTypeVars | undefined;
  for (const [k, value] of Object.entries(map)) {
    if (!isExpression(value)) {
      out[k] = value;
      continue;
    }
    v ??= vars();
    const r = evaluateExpression(value, v);
    if (r.ok && r.value >= 0) out[k] = formatResourceResult(k, r.value);
  }
  return out;
}

/** resolveMaxPods for an expression: its value within [0, 2^31-1], or undefined (the default applies). */
export function resolveMaxPods(expression: string, vars: InstanceTypeVars): number | undefined {
  const r = evaluateExpression(expression, vars);
  return r.ok && r.value >= 0 && r.value <= 2 ** 31 - 1 ? r.value : undefined;
}

/** validateKubeletExpressions: the first expression of spec.kubelet that cannot be used, and why. */
export function kubeletExpressionProblem(
  kubelet: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  const maxPods = kubelet?.maxPods;
  if (typeof maxPods === 'string') {
    const p = expressionProblem(maxPods);
    if (p !== undefined) return `validating expression, ${p} (field=spec.kubelet.maxPods)`;
  }
  for (const field of ['kubeReserved', 'systemReserved']) {
    const m = kubelet?.[field];
    if (typeof m !== 'object' || m === null) continue;
    for (const [k, value] of Object.entries(m as Record<string, unknown>).sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      if (!isExpression(value)) continue;
      const p = expressionProblem(value);
      if (p !== undefined) return `validating expression, ${p} (field=spec.kubelet.${field}[${k}])`;
    }
  }
  return undefined;
}
