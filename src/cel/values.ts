/**
 * JSON objects as CEL sees them in kube-apiserver: an unstructured object's whole numbers are int64,
 * its other numbers double, and everything else as JSON has it (k8s.io/apiserver
 * pkg/admission/conversion.go: `types.DefaultTypeAdapter.NativeToValue(u.Object)`). The evaluator
 * (@marcbachmann/cel-js) takes ints as bigint. Pure.
 */

/** A JSON value with its whole numbers as bigint, ready for the evaluator. */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toCel(value[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string' || typeof v === 'boolean') out[key] = v;
    else if (v !== undefined) out[key] = toCel(v);
  }
  return out;
}

/** The type name cel-go gives a value, for messages ("must evaluate to bool but got int"). */
export function celTypeName(value: unknown): string {
  if (value === null) return 'null_type';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'double';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map) return 'map';
  const name = (value as { constructor?: { celType?: string; name?: string } }).constructor;
  if (name?.celType) return name.celType;
  if (name?.name === 'UnsignedInt') return 'uint';
  if (name?.name === 'Optional') return 'optional_type';
  return 'map';
}

/** Whether `f` returns rather than throws (isIP, isCIDR, isSemver: a parse that may fail). */
export function succeeds(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}
