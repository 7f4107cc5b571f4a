/**
 * How one claim's fleet is laid out (pure): its instance types grouped by what their launch template
 * must differ in — the newest image of their architecture and their max pods — and the labels and
 * taints the kubelet registers with. Labels the kubelet sets itself or may not set (kubernetes.io and
 * k8s.io domains, instance-type facts, the claim) are left to registration.
 */
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { Taint } from '../../scheduling/taints.js';
import type { AmiVariant, NodeClassSpec, ResolvedAmi } from '../nodeclass/spec.js';
import { CLAIM_TAG, type LaunchRequest } from './provider.js';
import { IMAGE_LABEL } from '../../scheduling/nodepool.js';
import type { NodeShape } from './aws-template-data.js';
import {
  podsOfShape,
  reservedFor,
  shapedCatalog,
  type NodeShape as ClassShape,
} from '../../catalog/node-shape.js';
import { isExpression } from '../../catalog/kubelet-cel.js';
import type { KubeletConfig } from '../nodeclass/userdata/options.js';
import { classShape } from '../../scheduling/class-shape.js';
import type { InstanceType } from '../../catalog/instance-type.js';
import type { RequestLaunchTemplateData } from '@aws-sdk/client-ec2';
import { RESERVATION_LABEL, RESERVED } from '../../scheduling/reservations.js';

/** The image variant a type boots: NVIDIA for GPU types, Neuron for Inferentia / Trainium, else standard. */
export function variantOf(type: InstanceType): AmiVariant {
  if (type.labels[LABEL.gpuCount] !== undefined) return 'nvidia';
  if (type.capacity.neuron > 0) return 'neuron';
  return 'standard';
}

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
  kubelet?: KubeletConfig,
): NodeShape {
  return {
    labels: { ...bootstrapLabels(req), [IMAGE_LABEL]: ami.id },
    taints: bootstrapTaints(req, startupTaints),
    maxPods,
    imageId: ami.id,
    ...(kubelet ? { kubelet } : {}),
  };
}

export interface LaunchGroup {
  readonly ami: ResolvedAmi;
  readonly maxPods: number;
  /** spec.kubelet with its expressions evaluated for the group's types (absent: as written). */
  readonly kubelet?: KubeletConfig;
  readonly instanceTypes: readonly string[];
}

/**
 * spec.kubelet as the node's user data carries it: an expression (maxPods, a reservation) evaluated
 * for the type (Karpenter v1.15 NodeClassCEL), never passed to the kubelet as written.
 */
function kubeletForType(
  kubelet: KubeletConfig | undefined,
  base: InstanceType | undefined,
  shape: ClassShape,
): KubeletConfig | undefined {
  if (!kubelet || !base) return kubelet;
  const hasExpression =
    typeof kubelet.maxPods === 'string' ||
    [kubelet.kubeReserved, kubelet.systemReserved].some((m) => Object.values(m ?? {}).some(isExpression));
  if (!hasExpression) return kubelet;
  const pods = podsOfShape(base, shape);
  const { kube, sys } = reservedFor(base, shape, pods);
  return {
    ...kubelet,
    ...(kubelet.maxPods !== undefined ? { maxPods: pods } : {}),
    ...(kubelet.kubeReserved ? { kubeReserved: kube } : {}),
    ...(kubelet.systemReserved ? { systemReserved: sys } : {}),
  };
}

/** The claim's types (in the claim's order) grouped by image and max pods; types no image fits are left out. */
export function launchGroups(
  instanceTypes: readonly string[],
  amis: readonly ResolvedAmi[],
  catalog: Catalog,
  spec: NodeClassSpec,
): LaunchGroup[] {
  const groups = new Map<
    string,
    { ami: ResolvedAmi; maxPods: number; kubelet?: KubeletConfig; instanceTypes: string[] }
  >();
  const shape = classShape(spec as Readonly<Record<string, unknown>>);
  const shaped = shapedCatalog(catalog, shape);
  for (const name of instanceTypes) {
    const type = shaped.byName(name);
    const arch = type?.labels[LABEL.arch] ?? 'amd64';
    // amis are newest first: the first of the type's architecture and variant (an alias resolves an
    // NVIDIA image for GPU types and a Neuron one for Inferentia / Trainium, as Karpenter's does).
    const want = type ? variantOf(type) : 'standard';
    const ami =
      amis.find((a) => a.arch === arch && (a.variant ?? want) === want) ??
      (want === 'neuron' ? amis.find((a) => a.arch === arch && a.variant === 'standard') : undefined);
    if (!ami) continue;
    // Max pods as the class shapes the type: spec.kubelet.maxPods, podsPerCore, or the ENI limit.
    const maxPods = type?.capacity.pods ?? 110;
    const kubelet = kubeletForType(spec.kubelet, catalog.byName(name), shape);
    const key = `${ami.id}/${maxPods}/${kubelet === spec.kubelet ? '' : JSON.stringify(kubelet)}`;
    const g = groups.get(key);
    if (g) g.instanceTypes.push(name);
    else groups.set(key, { ami, maxPods, ...(kubelet ? { kubelet } : {}), instanceTypes: [name] });
  }
  return [...groups.values()];
}

/** The reservation a `reserved` claim launches into (its labels name it), if it is one. */
export function reservedLaunch(req: LaunchRequest): { id: string; block: boolean } | undefined {
  const id = req.labels[RESERVATION_LABEL.id];
  if (req.capacityType !== RESERVED || id === undefined) return undefined;
  return { id, block: req.labels[RESERVATION_LABEL.type] === 'capacity-block' };
}

/** The launch template data targeting the reservation (a capacity block also as its market type). */
export function withReservation(
  data: RequestLaunchTemplateData,
  reservation: { id: string; block: boolean } | undefined,
): RequestLaunchTemplateData {
  if (!reservation) return data;
  return {
    ...data,
    CapacityReservationSpecification: {
      CapacityReservationTarget: { CapacityReservationId: reservation.id },
    },
    ...(reservation.block ? { InstanceMarketOptions: { MarketType: 'capacity-block' } } : {}),
  };
}

/** The fleet's target capacity type: a reserved claim launches on demand into its reservation. */
export function targetType(req: LaunchRequest): 'spot' | 'on-demand' | 'capacity-block' {
  if (req.capacityType === 'spot') return 'spot';
  return reservedLaunch(req)?.block === true ? 'capacity-block' : 'on-demand';
}
