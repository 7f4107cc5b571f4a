/**
 * An HPA's target and metrics as the API server validates them (pkg/apis/autoscaling/validation
 * ValidateCrossVersionObjectReference, validateMetricSpec, validateResourceSource,
 * validateMetricTarget): scaleTargetRef's kind and name, each metric's type, and resource metrics'
 * name and target. In its words. Pure.
 */
import { fieldError as fe } from '../../kube/field-errors.js';

type Target = { type?: unknown; averageUtilization?: unknown; averageValue?: unknown; value?: unknown };
type Metric = { type?: unknown; resource?: { name?: unknown; target?: Target } };
export type HpaFields = { scaleTargetRef?: { kind?: unknown; name?: unknown }; metrics?: Metric[] };

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const SOURCES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

function targetErrors(t: Target, at: string): string[] {
  const out: string[] = [];
  const type = str(t.type);
  if (type === '') out.push(fe.required(`${at}.type`, 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type))
    out.push(fe.invalid(`${at}.type`, type, 'must be either Utilization, Value, or AverageValue'));
  if (typeof t.averageUtilization === 'number' && t.averageUtilization < 1)
    out.push(fe.invalid(`${at}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  return out;
}

function resourceErrors(r: NonNullable<Metric['resource']>, at: string): string[] {
  const out: string[] = [];
  if (str(r.name) === '') out.push(fe.required(`${at}.name`, 'must specify a resource name'));
  const t = r.target ?? {};
  out.push(...targetErrors(t, `${at}.target`));
  const utilization = t.averageUtilization !== undefined && t.averageUtilization !== null;
  const average = t.averageValue !== undefined && t.averageValue !== null;
  if (!utilization && !average)
    out.push(
      fe.required(
        `${at}.target.averageUtilization`,
        'must set either a target raw value or a target utilization',
      ),
    );
  if (utilization && average)
    out.push(
      fe.forbidden(
        `${at}.target.averageValue`,
        'may not set both a target raw value and a target utilization',
      ),
    );
  return out;
}

/** The scaleTargetRef's and metrics' errors, in the API server's order. */
export function hpaFieldErrors(spec: HpaFields): string[] {
  const out: string[] = [];
  const ref = spec.scaleTargetRef ?? {};
  if (str(ref.kind) === '') out.push(fe.required('spec.scaleTargetRef.kind'));
  if (str(ref.name) === '') out.push(fe.required('spec.scaleTargetRef.name'));
  (spec.metrics ?? []).forEach((m, i) => {
    const at = `spec.metrics[${i}]`;
    const type = str(m.type);
    if (type === '') out.push(fe.required(`${at}.type`, 'must specify a metric source type'));
    if (!SOURCES.includes(type)) out.push(fe.notSupported(`${at}.type`, type, SOURCES));
    if (type === 'Resource' && !m.resource)
      out.push(fe.required(`${at}.resource`, 'must populate information for the given metric source'));
    if (m.resource) out.push(...resourceErrors(m.resource, `${at}.resource`));
  });
  return out;
}
