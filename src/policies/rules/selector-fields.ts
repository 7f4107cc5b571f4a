/**
 * A label selector as the API server validates it (apimachinery ValidateLabelSelector): matchLabels
 * keys and values, and each matchExpression's operator, key and values. In its words. Pure.
 */
import { fieldError as fe } from '../../kube/field-errors.js';
import { labelValueProblem, qualifiedNameProblem } from '../../kube/names.js';

type Requirement = { key?: unknown; operator?: unknown; values?: unknown[] };
export type SelectorFields = { matchLabels?: Record<string, unknown>; matchExpressions?: Requirement[] };

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** ValidateLabels: each key a qualified name, each value a label value (the path is the map's). */
export function labelMapErrors(labels: Record<string, unknown>, path: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    const key = qualifiedNameProblem(k);
    if (key !== undefined) out.push(fe.invalid(path, k, key));
    const value = labelValueProblem(str(v));
    if (value !== undefined) out.push(fe.invalid(path, str(v), value));
  }
  return out;
}

function requirementErrors(r: Requirement, at: string): string[] {
  const out: string[] = [];
  const op = str(r.operator);
  const values = r.values ?? [];
  if (op === 'In' || op === 'NotIn') {
    if (values.length === 0)
      out.push(fe.required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
  } else if (op === 'Exists' || op === 'DoesNotExist') {
    if (values.length > 0)
      out.push(
        fe.forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
      );
  } else out.push(fe.invalid(`${at}.operator`, op, 'not a valid selector operator'));
  const key = qualifiedNameProblem(str(r.key));
  if (key !== undefined) out.push(fe.invalid(`${at}.key`, str(r.key), key));
  values.forEach((v, i) => {
    const bad = labelValueProblem(str(v));
    if (bad !== undefined) out.push(fe.invalid(`${at}.values[${i}]`, str(v), bad));
  });
  return out;
}

/** ValidateLabelSelector's errors, in its order. */
export function labelSelectorErrors(selector: SelectorFields | undefined, path: string): string[] {
  if (!selector) return [];
  const out = selector.matchLabels ? labelMapErrors(selector.matchLabels, `${path}.matchLabels`) : [];
  (selector.matchExpressions ?? []).forEach((r, i) =>
    out.push(...requirementErrors(r, `${path}.matchExpressions[${i}]`)),
  );
  return out;
}
