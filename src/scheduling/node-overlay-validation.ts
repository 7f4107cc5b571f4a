/**
 * What Karpenter v1.14.1's NodeOverlay CRD and its runtime validation refuse
 * (pkg/apis/crds/karpenter.sh_nodeoverlays.yaml; v1alpha1 RuntimeValidate), in their words: an
 * overlay refused here is never applied. Pure.
 */
import { requirementIssue, type CrdIssue, type RequirementIn } from './nodepool-validation.js';

interface NodeOverlayIn {
  spec?: {
    requirements?: RequirementIn[];
    price?: unknown;
    priceAdjustment?: unknown;
    capacity?: Record<string, unknown>;
    weight?: unknown;
  };
}

const PRICE = /^\d+(\.\d+)?$/;
const ADJUSTMENT = /^(([+-]{1}(\d*\.?\d+))|(\+{1}\d*\.?\d+%)|(^(-\d{1,2}(\.\d+)?%)$)|(-100%))$/;
/** Resources a node has whatever the overlay says (v1.WellKnownResources). */
const RESTRICTED_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);
const ALLOWED_KARPENTER = new Set(['karpenter.sh/capacity-type', 'karpenter.sh/nodepool']);

function keyIssue(key: unknown, at: string): CrdIssue | undefined {
  if (typeof key !== 'string') return { pointer: at, message: 'key: Required value' };
  const domain = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
  if (!ALLOWED_KARPENTER.has(key) && domain.endsWith('karpenter.sh'))
    return { pointer: at, message: 'label domain "karpenter.sh" is restricted' };
  if (key === 'kubernetes.io/hostname')
    return { pointer: at, message: 'label "kubernetes.io/hostname" is restricted' };
  return undefined;
}

function requirementsIssue(reqs: readonly RequirementIn[]): CrdIssue | undefined {
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i] ?? {};
    const at = `/spec/requirements/${i}`;
    const found = keyIssue(r.key, `${at}/key`) ?? requirementIssue(r, at);
    if (found) return found;
    if (r.operator === 'NotIn' && (!Array.isArray(r.values) || r.values.length === 0))
      return { pointer: at, message: "requirements with operator 'NotIn' must have a value defined" };
  }
  return undefined;
}

function priceIssue(spec: NonNullable<NodeOverlayIn['spec']>): CrdIssue | undefined {
  if (spec.price !== undefined && spec.priceAdjustment !== undefined)
    return { pointer: '/spec', message: "cannot set both 'price' and 'priceAdjustment'" };
  if (spec.price !== undefined && !(typeof spec.price === 'string' && PRICE.test(spec.price)))
    return {
      pointer: '/spec/price',
      message: `should match '${PRICE.source}' (a price in USD/h, as "0.25")`,
    };
  if (
    spec.priceAdjustment !== undefined &&
    !(typeof spec.priceAdjustment === 'string' && ADJUSTMENT.test(spec.priceAdjustment))
  )
    return {
      pointer: '/spec/priceAdjustment',
      message: 'should be a signed amount or percentage, as "-0.05", "+10%" or "-15%" (at most -100%)',
    };
  return undefined;
}

/** The first thing Karpenter refuses in this NodeOverlay, or undefined when it applies it. */
export function overlayIssue(object: unknown): CrdIssue | undefined {
  const spec = (object as NodeOverlayIn).spec ?? {};
  const found = requirementsIssue(spec.requirements ?? []) ?? priceIssue(spec);
  if (found) return found;
  for (const r of Object.keys(spec.capacity ?? {}))
    if (RESTRICTED_RESOURCES.has(r))
      return { pointer: `/spec/capacity/${r}`, message: 'invalid resource restricted' };
  const w = spec.weight;
  if (w !== undefined && !(typeof w === 'number' && Number.isInteger(w) && w >= 1 && w <= 10000))
    return { pointer: '/spec/weight', message: 'should be an integer from 1 to 10000' };
  return undefined;
}
