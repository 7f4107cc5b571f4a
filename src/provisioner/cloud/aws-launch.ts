/**
 * How one claim's fleet is laid out (pure): its instance types grouped by what their launch template
 * must differ in — the newest image of their architecture and their max pods — and the labels and
 * taints the kubelet registers with. Labels the kubelet sets itself or may not set (kubernetes.io and
 * k8s.io domains, instance-type facts, the claim) are left to registration.
 */
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { Taint } from '../../scheduling/taints.js';
import type { NodeClassSpec, ResolvedAmi } from '../nodeclass/spec.js';
import { CLAIM_TAG, type LaunchRequest } from './provider.js';
import { IMAGE_LABEL } from '../../scheduling/nodepool.js';
import type { NodeShape } from './aws-template-data.js';

/** The taint a node carries until Berth has checked its labels and taints (Karpenter's). */
export const UNREGISTERED_TAINT: Taint = { key: 'karpenter.sh/unregistered', effect: 'NoExecute' };

const PER_INSTANCE = /^(karpenter\.k8s\.aws\/instance-|topology\.k8s\.aws\/)/;

/** Whether the kubelet may set this label with --node-labels (NodeRestriction refuses the rest). */
export function kubeletMaySet(key: string): boolean {
  const slash = key.indexOf('/');
  const domain = slash < 0 ? '' : key.slice(0, slash);
  const restricted =
    domain === 'kubernetes.io' ||
    domain.endsWith('.kubernetes.io') ||
    domain === 'k8s.io' ||
    domain.endsWith('.k8s.io');
  return !restricted && !PER_INSTANCE.test(key) && key !== CLAIM_TAG;
}

export function bootstrapLabels(req: LaunchRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.labels)) if (kubeletMaySet(k)) out[k] = v;
  out[LABEL.nodePool] = req.nodePool;
  out[LABEL.capacityType] = req.capacityType;
  return out;
}

export function bootstrapTaints(req: LaunchRequest, startupTaints: readonly Taint[]): Taint[] {
  const out: Taint[] = [];
  for (const t of [...req.taints, ...startupTaints, UNREGISTERED_TAINT])
    if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t);
  return out;
}

/** What a node of this claim boots as, for one image and max pods: its launch template's user data. */
export function nodeShape(
  req: LaunchRequest,
  startupTaints: readonly Taint[],
  ami: ResolvedAmi,
  maxPods: number,
): NodeShape {
  return {
    labels: { ...bootstrapLabels(req), [IMAGE_LABEL]: ami.id },
    taints: bootstrapTaints(req, startupTaints),
    maxPods,
    imageId: ami.id,
  };
}

export interface LaunchGroup {
  readonly ami: ResolvedAmi;
  readonly maxPods: number;
  readonly instanceTypes: readonly string[];
}

/** The claim's types (in the claim's order) grouped by image and max pods; types no image fits are left out. */
export function launchGroups(
  instanceTypes: readonly string[],
  amis: readonly ResolvedAmi[],
  catalog: Catalog,
  spec: NodeClassSpec,
): LaunchGroup[] {
  const groups = new Map<string, { ami: ResolvedAmi; maxPods: number; instanceTypes: string[] }>();
  for (const name of instanceTypes) {
    const type = catalog.byName(name);
    const arch = type?.labels[LABEL.arch] ?? 'amd64';
    // amis are newest first: the first of the type's architecture.
    const ami = amis.find((a) => a.arch === arch);
    if (!ami) continue;
    const maxPods = spec.kubelet?.maxPods ?? type?.capacity.pods ?? 110;
    const key = `${ami.id}/${maxPods}`;
    const g = groups.get(key);
    if (g) g.instanceTypes.push(name);
    else groups.set(key, { ami, maxPods, instanceTypes: [name] });
  }
  return [...groups.values()];
}
