/** Where each workload kind keeps its pod template, selector and replica count. */
import type { V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject } from './objects.js';
import type { LabelSelector } from './selector.js';

export const COMPILED_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'] as const;
/** Judged as workloads; a ReplicationController like a Deployment (it is not compiled). */
export const WORKLOAD_KINDS = [...COMPILED_KINDS, 'DaemonSet', 'ReplicationController'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Kinds that run replicas for as long as they exist (not run-to-completion, not per-node). */
const REPLICATED: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
]);

export function isWorkloadKind(kind: string | undefined): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly (string | undefined)[]).includes(kind);
}

export function isCompiledKind(kind: string | undefined): boolean {
  return (COMPILED_KINDS as readonly (string | undefined)[]).includes(kind);
}

export function isReplicated(kind: string | undefined): boolean {
  return kind !== undefined && REPLICATED.has(kind);
}

/** Long-running: a Deployment/StatefulSet/ReplicaSet/ReplicationController/DaemonSet or a bare Pod (not a Job's pods). */
export function isLongRunning(kind: string | undefined): boolean {
  return isReplicated(kind) || kind === 'DaemonSet' || kind === 'Pod';
}

/** What says who controls a pod (a V1Pod, or a pod as an admission review carries it). */
interface Owned {
  metadata?: { ownerReferences?: readonly { kind?: string; controller?: boolean }[] };
}

/** A pod a DaemonSet controls: it goes to the node its DaemonSet names it for, and stays there. */
export function isDaemonSetPod(pod: Owned): boolean {
  return pod.metadata?.ownerReferences?.some((r) => r.kind === 'DaemonSet' && r.controller === true) === true;
}

export interface PodTemplate {
  metadata: V1ObjectMeta;
  spec: V1PodSpec;
}

type Spec = Record<string, unknown>;

function specOf(obj: KubeObject): Spec | undefined {
  const spec = obj.spec;
  return typeof spec === 'object' && spec !== null ? (spec as Spec) : undefined;
}

function isObjectList(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
}

/** The shape the API server's decoding guarantees; anything else (a hand-made review) has no template. */
function wellFormedPodSpec(spec: unknown): boolean {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return false;
  const s = spec as Spec;
  return isObjectList(s.containers) && (s.initContainers === undefined || isObjectList(s.initContainers));
}

/**
 * The pod template of a workload, by reference (mutating it mutates the object); a Pod is its own
 * template. Undefined when the object has no pod spec.
 */
export function podTemplateOf(obj: KubeObject): PodTemplate | undefined {
  if (obj.kind === 'Pod') {
    const spec = specOf(obj);
    if (!spec || !wellFormedPodSpec(spec)) return undefined;
    obj.metadata ??= {};
    return { metadata: obj.metadata, spec: spec as unknown as V1PodSpec };
  }
  let spec = specOf(obj);
  if (obj.kind === 'CronJob') {
    const jobTemplate = spec?.jobTemplate as { spec?: Spec } | undefined;
    spec = jobTemplate?.spec;
  }
  return templateIn(spec?.template);
}

function templateIn(value: unknown): PodTemplate | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const template = value as { metadata?: unknown; spec?: unknown };
  if (!wellFormedPodSpec(template.spec)) return undefined;
  const meta = template.metadata;
  if (meta !== undefined && (typeof meta !== 'object' || meta === null)) return undefined;
  template.metadata ??= {};
  return template as PodTemplate;
}

/** The label selector that picks the workload's pods. */
export function workloadSelector(obj: KubeObject): LabelSelector | undefined {
  if (obj.kind === 'Pod') return { matchLabels: { ...(obj.metadata?.labels ?? {}) } };
  if (obj.kind === 'CronJob' || obj.kind === 'Job') {
    const labels = podTemplateOf(obj)?.metadata.labels;
    return labels ? { matchLabels: stableLabels(labels) } : undefined;
  }
  if (obj.kind === 'ReplicationController') {
    // A map of labels; when absent the API server defaults it to the template's labels.
    const selector = specOf(obj)?.selector as Record<string, string> | undefined;
    const labels = selector ?? podTemplateOf(obj)?.metadata.labels;
    return labels ? { matchLabels: { ...labels } } : undefined;
  }
  return specOf(obj)?.selector as LabelSelector | undefined;
}

/** Pod labels without the ones controllers add per run or per revision. */
export function stableLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (k === 'pod-template-hash' || k === 'controller-uid' || k === 'job-name') continue;
    if (k.startsWith('batch.kubernetes.io/') || k.startsWith('berth.dev/')) continue;
    out[k] = v;
  }
  return out;
}

/** The labels the workload's pods will carry. */
export function podLabelsOf(obj: KubeObject): Record<string, string> {
  return podTemplateOf(obj)?.metadata.labels ?? {};
}

/** spec.replicas as written (undefined when unset); Pods are 1. */
export function declaredReplicas(obj: KubeObject): number | undefined {
  if (obj.kind === 'Pod') return 1;
  if (!isReplicated(obj.kind)) return undefined;
  const r = specOf(obj)?.replicas;
  return typeof r === 'number' ? r : undefined;
}

/** Replicas the workload runs with: spec.replicas, defaulting to 1 as the API server does. */
export function effectiveReplicas(obj: KubeObject): number {
  return declaredReplicas(obj) ?? 1;
}

export function setReplicas(obj: KubeObject, replicas: number): void {
  const spec = specOf(obj);
  if (spec && isReplicated(obj.kind)) spec.replicas = replicas;
}
