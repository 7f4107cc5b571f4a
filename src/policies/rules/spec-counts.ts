/**
 * Counts and budgets as the API server validates them, for object-invalid: a workload's replicas
 * (ValidateNonnegativeField, pkg/apis/apps/validation and core's ReplicationController), a
 * PodDisruptionBudget's minAvailable and maxUnavailable (ValidatePodDisruptionBudgetSpec,
 * pkg/apis/policy/validation: not both, each an integer ≥ 0 or a percentage of at most 100%), an
 * HPA's bounds (validateHorizontalPodAutoscalerSpec, pkg/apis/autoscaling/validation at 1.37:
 * minReplicas ≥ 0, 0 only with an Object or External metric; maxReplicas > 0 and ≥ minReplicas).
 * In the API server's words. Pure.
 */
import type { KubeObject } from '../../kube/objects.js';
import { fieldError as fe } from '../../kube/field-errors.js';
import { hpaFieldErrors } from './hpa-fields.js';
import { labelSelectorErrors, type SelectorFields } from './selector-fields.js';

const EVICTION = ['AlwaysAllow', 'IfHealthyBudget'];
const REPLICATED = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);
const PERCENT = /^[0-9]+%$/;

type Spec = Record<string, unknown> | undefined;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** apps/validation ValidatePositiveIntOrPercent and IsNotMoreThan100Percent, for one field. */
function intOrPercent(path: string, v: unknown): string[] {
  if (typeof v === 'string') {
    if (!PERCENT.test(v))
      return [
        `${path}: Invalid value: "${v}": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      ];
    return Number(v.slice(0, -1)) > 100
      ? [`${path}: Invalid value: "${v}": must not be greater than 100%`]
      : [];
  }
  if (isInt(v) && v < 0) return [`${path}: Invalid value: ${v}: must be greater than or equal to 0`];
  return [];
}

function pdbErrors(spec: Spec): string[] {
  const min = spec?.minAvailable;
  const max = spec?.maxUnavailable;
  const out: string[] = [];
  if (min !== undefined && min !== null && max !== undefined && max !== null)
    out.push('spec: Invalid value: minAvailable and maxUnavailable cannot be both set');
  if (min !== undefined && min !== null) out.push(...intOrPercent('spec.minAvailable', min));
  if (max !== undefined && max !== null) out.push(...intOrPercent('spec.maxUnavailable', max));
  out.push(...labelSelectorErrors(spec?.selector as SelectorFields | undefined, 'spec.selector'));
  const policy = spec?.unhealthyPodEvictionPolicy;
  if (typeof policy === 'string' && !EVICTION.includes(policy))
    out.push(fe.notSupported('spec.unhealthyPodEvictionPolicy', policy, EVICTION));
  return out;
}

/**
 * Kubernetes 1.37 (HPAScaleToZero beta, on): minReplicas may be 0 when an Object or External metric
 * can wake the target; unset, it defaults to 1 (SetDefaults_HorizontalPodAutoscaler).
 */
function hpaErrors(spec: Spec): string[] {
  const min = isInt(spec?.minReplicas) ? spec.minReplicas : 1;
  const max = isInt(spec?.maxReplicas) ? spec.maxReplicas : 0;
  const out: string[] = [];
  if (min < 0) out.push(`spec.minReplicas: Invalid value: ${min}: must be greater than or equal to 0`);
  if (max === 0) out.push('spec.maxReplicas: Required value: must be set and greater than 0');
  else if (max < 0) out.push(`spec.maxReplicas: Invalid value: ${max}: must be greater than or equal to 1`);
  if (max < min)
    out.push(`spec.maxReplicas: Invalid value: ${max}: must be greater than or equal to \`minReplicas\``);
  out.push(...hpaFieldErrors(spec ?? {}), ...scaleToZeroErrors(spec, min));
  return out;
}

/** minReplicas 0 needs a metric that can wake the target: an Object or External one. */
function scaleToZeroErrors(spec: Spec, min: number): string[] {
  const metrics = (spec?.metrics ?? []) as { type?: unknown }[];
  if (min !== 0 || metrics.some((m) => m.type === 'Object' || m.type === 'External')) return [];
  return [
    'spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas',
  ];
}

/** The API server's field errors for the object's counts, if any. */
export function countErrors(obj: KubeObject): string[] {
  const spec = obj.spec as Spec;
  const selector = () => labelSelectorErrors(spec?.selector as SelectorFields | undefined, 'spec.selector');
  if (REPLICATED.has(obj.kind ?? '')) {
    const r = spec?.replicas;
    const replicas =
      isInt(r) && r < 0 ? [`spec.replicas: Invalid value: ${r}: must be greater than or equal to 0`] : [];
    return [...replicas, ...selector()];
  }
  if (obj.kind === 'DaemonSet') return selector();
  if (obj.kind === 'PodDisruptionBudget') return pdbErrors(spec);
  if (obj.kind === 'HorizontalPodAutoscaler') return hpaErrors(spec);
  return [];
}
