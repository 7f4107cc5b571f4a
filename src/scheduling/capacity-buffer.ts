/**
 * CapacityBuffer (`autoscaling.x-k8s.io/v1beta1`, Karpenter v1.14 behind its CapacityBuffer gate):
 * spare capacity kept warm in the shape of a pod. A buffer names the shape — a PodTemplate
 * (`podTemplateRef`) or a Deployment, StatefulSet or ReplicaSet (`scalableRef`) — and how many chunks:
 * `replicas` and `percentage` (of the scalable's replicas, rounded up, at least 1) take the larger,
 * `limits` caps it (or alone sets it: as many chunks as fit). Each chunk is a virtual pod the
 * provisioner buys room for and consolidation keeps room for, never created in the API and never
 * bound (Karpenter's capacitybuffer controller and virtualpods package). Pure.
 */
import type { V1Pod, V1PodSpec, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';
import { cpuMillis, memoryMiB } from '../kube/quantity.js';
import { ACCELERATORS, podRequests, type PodRequests } from '../kube/resources.js';

export const BUFFER_API_VERSION = 'autoscaling.x-k8s.io/v1beta1';
/** The only provisioning strategy there is (and the default). */
export const ACTIVE_CAPACITY = 'buffer.x-k8s.io/active-capacity';
/** Karpenter's marks on a virtual pod (autoscaling/v1beta1 constants.go). */
export const FAKE_POD_ANNOTATION = 'karpenter.sh/capacity-buffer-fake-pod';
export const BUFFER_NAME_ANNOTATION = 'karpenter.sh/capacity-buffer-name';
export const BUFFER_NAMESPACE_ANNOTATION = 'karpenter.sh/capacity-buffer-namespace';
/** VirtualPodPriority: the lowest there is. */
export const VIRTUAL_POD_PRIORITY = -2147483648;

export interface CapacityBufferSpec {
  provisioningStrategy?: string;
  podTemplateRef?: { name?: string };
  scalableRef?: { apiGroup?: string; kind?: string; name?: string };
  replicas?: number;
  percentage?: number;
  limits?: Record<string, string | number>;
}

export interface CapacityBuffer extends KubeObject {
  spec?: CapacityBufferSpec;
}

/** What a buffer resolves to: its shape and chunk count, or why it cannot be provisioned. */
export type BufferResolution =
  | {
      readonly ok: true;
      readonly template: V1PodTemplateSpec;
      readonly replicas: number;
      readonly podTemplate?: string;
    }
  | { readonly ok: false; readonly reason: string; readonly message: string };

const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

const LIMIT_OF: Record<string, (r: PodRequests) => number> = {
  cpu: (r) => r.cpuMillis,
  memory: (r) => r.memoryMiB,
  'ephemeral-storage': (r) => r.ephemeralMiB,
  ...Object.fromEntries(
    Object.entries(ACCELERATORS).map(([k, name]) => [name, (r: PodRequests) => r[k as keyof PodRequests]]),
  ),
};

/** A limit in the unit its request is counted in (millicores, MiB, count). */
function limitAmount(resource: string, v: string | number): number | undefined {
  if (resource === 'cpu') return cpuMillis(v);
  if (resource === 'memory' || resource === 'ephemeral-storage') return memoryMiB(v);
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * calculateLimitReplicas: for each resource both limited and requested, how many chunks fit; the
 * fewest. Undefined when the limits constrain nothing the pod asks for.
 */
export function limitReplicas(
  limits: Record<string, string | number>,
  template: V1PodTemplateSpec,
): number | undefined {
  const requests = podRequests(template.spec ?? { containers: [] });
  let fewest: number | undefined;
  for (const [resource, v] of Object.entries(limits)) {
    const asked = LIMIT_OF[resource]?.(requests) ?? 0;
    const limit = limitAmount(resource, v);
    if (asked <= 0 || limit === undefined) continue;
    const n = Math.floor(limit / asked + 1e-9);
    fewest = Math.min(fewest ?? n, n);
  }
  return fewest;
}

/** calculatePercentageReplicas: ceil(replicas × percentage / 100), at least 1 when both are positive. */
export function percentageReplicas(scalable: number, percentage: number): number {
  const n = Math.ceil((scalable * percentage) / 100);
  return n < 1 && percentage > 0 && scalable > 0 ? 1 : n;
}

/** computeReplicas: max(replicas, percentage's), capped by limits; limits alone when neither is set. */
export function bufferReplicas(
  spec: CapacityBufferSpec,
  template: V1PodTemplateSpec,
  fromPercentage?: number,
): number {
  const sizes = [spec.replicas, fromPercentage].filter((x): x is number => x !== undefined);
  const byLimits = spec.limits ? limitReplicas(spec.limits, template) : undefined;
  if (sizes.length === 0) return byLimits ?? 0;
  const desired = Math.max(...sizes);
  return byLimits === undefined ? desired : Math.min(desired, byLimits);
}

const refused = (reason: string, message: string): BufferResolution => ({ ok: false, reason, message });

type Workload = KubeObject & { spec?: { replicas?: number; template?: V1PodTemplateSpec } };
type Lookup = (kind: string, name: string | undefined) => KubeObject | undefined;

function fromPodTemplate(spec: CapacityBufferSpec, ns: string, find: Lookup): BufferResolution {
  const name = spec.podTemplateRef?.name ?? '';
  const pt = find('PodTemplate', name) as (KubeObject & { template?: V1PodTemplateSpec }) | undefined;
  if (!pt?.template) return refused('PodTemplateNotFound', `PodTemplate ${ns}/${name} not found`);
  return { ok: true, template: pt.template, replicas: bufferReplicas(spec, pt.template), podTemplate: name };
}

/** The chunks `percentage` asks for of a scalable running `scalable` replicas, if it is set. */
const percentOf = (spec: CapacityBufferSpec, scalable: number): number | undefined =>
  spec.percentage !== undefined && scalable > 0 ? percentageReplicas(scalable, spec.percentage) : undefined;

function fromScalable(spec: CapacityBufferSpec, ns: string, find: Lookup): BufferResolution {
  const { apiGroup = 'apps', kind = '', name = '' } = spec.scalableRef ?? {};
  if (apiGroup !== 'apps' && apiGroup !== '')
    return refused('ResolutionFailed', `unsupported scalableRef API group "${apiGroup}"`);
  if (!SCALABLE.has(kind)) return refused('ResolutionFailed', `unsupported kind "${kind}"`);
  const w = find(kind, name) as Workload | undefined;
  const template = w?.spec?.template;
  if (!template) return refused('ScalableRefNotFound', `${kind} ${ns}/${name} not found`);
  return {
    ok: true,
    template,
    replicas: bufferReplicas(spec, template, percentOf(spec, w.spec?.replicas ?? 1)),
  };
}

/** The buffer's shape and size from the objects of its namespace (PodTemplates and workloads). */
export function resolveBuffer(cb: CapacityBuffer, objects: readonly KubeObject[]): BufferResolution {
  const spec = cb.spec ?? {};
  const ns = cb.metadata?.namespace ?? 'default';
  const find: Lookup = (kind, name) =>
    objects.find(
      (o) => o.kind === kind && o.metadata?.name === name && (o.metadata?.namespace ?? 'default') === ns,
    );
  if (spec.podTemplateRef) return fromPodTemplate(spec, ns, find);
  if (!spec.scalableRef) return refused('ResolutionFailed', 'Neither podTemplateRef nor scalableRef is set');
  return fromScalable(spec, ns, find);
}

/** The template's spec as a virtual pod's: no node name, no volume that needs a claim. */
function sanitized(template: V1PodTemplateSpec) {
  const spec = structuredClone(template.spec ?? { containers: [] });
  delete spec.nodeName;
  withoutClaimedVolumes(spec);
  spec.priority = VIRTUAL_POD_PRIORITY;
  return spec;
}

/**
 * Drops from a pod spec (in place) the volumes a claim backs and their mounts: a pod that is not
 * there yet (a buffer's virtual pod, a workload's returning one) would get a claim of its own.
 */
export function withoutClaimedVolumes(spec: V1PodSpec): void {
  const dropped = new Set(
    (spec.volumes ?? []).filter((v) => v.persistentVolumeClaim ?? v.ephemeral).map((v) => v.name),
  );
  if (spec.volumes) spec.volumes = spec.volumes.filter((v) => !dropped.has(v.name));
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])])
    if (c.volumeMounts) c.volumeMounts = c.volumeMounts.filter((m) => !dropped.has(m.name));
}

/**
 * BuildVirtualPods: one pod per chunk, named `capacity-buffer-<buffer>-<i>`, the template's labels
 * (spread and affinity count them), its spec without a node name or volumes that need a claim, at the
 * lowest priority, marked as Karpenter marks them.
 */
export function virtualPods(cb: CapacityBuffer, r: BufferResolution): V1Pod[] {
  if (!r.ok || r.replicas <= 0) return [];
  if ((cb.spec?.provisioningStrategy ?? ACTIVE_CAPACITY) !== ACTIVE_CAPACITY) return [];
  const name = cb.metadata?.name ?? '';
  const namespace = cb.metadata?.namespace ?? 'default';
  const spec = sanitized(r.template);
  return Array.from({ length: r.replicas }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `capacity-buffer-${name}-${i + 1}`,
      namespace,
      uid: `${cb.metadata?.uid ?? `${namespace}/${name}`}-${i + 1}`,
      labels: { ...(r.template.metadata?.labels ?? {}) },
      annotations: {
        [FAKE_POD_ANNOTATION]: 'true',
        [BUFFER_NAME_ANNOTATION]: name,
        [BUFFER_NAMESPACE_ANNOTATION]: namespace,
      },
    },
    spec: structuredClone(spec),
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
    },
  }));
}

export const isVirtualPod = (p: { metadata?: { annotations?: Record<string, string> } }): boolean =>
  p.metadata?.annotations?.[FAKE_POD_ANNOTATION] === 'true';

/** Every buffer's virtual pods, from the buffers and the objects their references name. */
export function bufferPods(buffers: readonly CapacityBuffer[], objects: readonly KubeObject[]): V1Pod[] {
  return buffers.flatMap((cb) => virtualPods(cb, resolveBuffer(cb, objects)));
}
