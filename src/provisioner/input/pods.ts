/**
 * Pods as the solver sees them, from Pod objects, from workloads (one per replica, named
 * `<workload>-<index>`) and from DaemonSets (per-node overhead).
 */
import type {
  V1Pod,
  V1PodSpec,
  V1PodAffinityTerm,
  V1TopologySpreadConstraint,
} from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { podRequests } from '../../kube/resources.js';
import { boundPodRequests } from '../../kube/pod-resize.js';
import type { LabelSelector } from '../../kube/selector.js';
import { podTemplateOf, type PodTemplate } from '../../kube/workload.js';
import { podRequirementTerms } from '../../scheduling/pod-requirements.js';
import { normalizedKey } from '../../scheduling/well-known.js';
import type { DaemonSetShape, ReplicaGroup, SolverPod, SpreadTerm, TopologyTerm } from '../solver/model.js';
import { fromRequests, type Res } from '../solver/resources.js';
import { admittedPodSpec, type AdmissionPlugin } from '../../scheduling/admission-plugins.js';

export function requestsOf(spec: V1PodSpec): Res {
  return fromRequests(podRequests(spec));
}

/** A bound pod's requests as kube-scheduler counts them on its node (an in-place resize included). */
export function boundRequestsOf(pod: V1Pod): Res {
  return fromRequests(boundPodRequests(pod));
}

/** matchLabelKeys add the pod's own values to the selector (keys the pod lacks are ignored). */
function spreadSelector(
  c: V1TopologySpreadConstraint,
  labels: Readonly<Record<string, string>>,
): LabelSelector {
  const selector = c.labelSelector ?? {};
  const extra: Record<string, string> = {};
  for (const k of c.matchLabelKeys ?? []) {
    const v = labels[k];
    if (v !== undefined) extra[k] = v;
  }
  if (Object.keys(extra).length === 0) return selector;
  const out: LabelSelector = { matchLabels: { ...(selector.matchLabels ?? {}), ...extra } };
  if (selector.matchExpressions) out.matchExpressions = selector.matchExpressions;
  return out;
}

/** A spread kube-scheduler enforces (DoNotSchedule); ScheduleAnyway ones only weigh in its scoring. */
export const isHardSpread = (c: Pick<V1TopologySpreadConstraint, 'whenUnsatisfiable'>): boolean =>
  c.whenUnsatisfiable === 'DoNotSchedule';

function spreadOf(
  spec: V1PodSpec,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): SpreadTerm[] {
  return (spec.topologySpreadConstraints ?? []).filter(isHardSpread).map((c) => ({
    key: normalizedKey(c.topologyKey),
    maxSkew: c.maxSkew,
    selector: spreadSelector(c, labels),
    namespaces: [namespace],
  }));
}

function termsOf(terms: V1PodAffinityTerm[] | undefined, namespace: string): TopologyTerm[] {
  return (terms ?? []).map((t) => ({
    key: normalizedKey(t.topologyKey),
    selector: t.labelSelector ?? {},
    namespaces: t.namespaces && t.namespaces.length > 0 ? t.namespaces : [namespace],
  }));
}

/**
 * A workload's template as the solver plans its pods: as the API server will admit them, which on EKS
 * (the default; policies.yaml cluster.admissionPlugins) adds extended resources' tolerations.
 */
export function solverPod(
  id: string,
  namespace: string,
  template: PodTemplate,
  plugins: readonly AdmissionPlugin[] = ['ExtendedResourceToleration'],
): SolverPod {
  const spec = admittedPodSpec(template.spec, plugins);
  const labels = template.metadata.labels ?? {};
  return {
    id,
    namespace,
    labels,
    requests: requestsOf(spec),
    terms: podRequirementTerms(spec),
    tolerations: spec.tolerations ?? [],
    spread: spreadOf(spec, namespace, labels),
    affinity: termsOf(spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, namespace),
    antiAffinity: termsOf(
      spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      namespace,
    ),
  };
}

/** The replicas a workload asks for (a Job's parallelism); 1 when it names none. */
export function replicasOf(obj: KubeObject): number {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  if (obj.kind === 'Job') return numberOr(spec.parallelism, 1);
  if (obj.kind === 'CronJob') {
    const job = (spec.jobTemplate as { spec?: Record<string, unknown> } | undefined)?.spec ?? {};
    return numberOr(job.parallelism, 1);
  }
  return numberOr(spec.replicas, 1);
}

function numberOr(v: unknown, d: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : d;
}

/**
 * Kinds whose replicas run now. A CronJob's pods run only on its schedule: its Jobs' pods are planned
 * when they exist, not as if they ran all day.
 */
const EXPANDED: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
]);

/**
 * The pods an object asks for: a pending Pod itself (bound pods belong to their node), a workload's
 * replicas (at least the minReplicas of an HPA that scales it). Other kinds ask for none.
 */
export function podsOf(obj: KubeObject, defaultNamespace: string, hpaMinReplicas?: number): SolverPod[] {
  const namespace = obj.metadata?.namespace ?? defaultNamespace;
  const name = obj.metadata?.name ?? obj.metadata?.generateName ?? 'unnamed';
  const template = podTemplateOf(obj);
  if (!template) return [];
  if (obj.kind === 'Pod') {
    const spec = template.spec;
    if (spec.nodeName) return [];
    return [solverPod(`${namespace}/${name}`, namespace, template)];
  }
  if (!EXPANDED.has(obj.kind ?? '')) return [];
  // An HPA scales it: it runs at least its minReplicas, whatever spec.replicas says.
  const n = Math.max(replicasOf(obj), hpaMinReplicas ?? 0);
  return Array.from({ length: n }, (_, i) => solverPod(`${namespace}/${name}-${i}`, namespace, template));
}

/** A workload's replicas `from` .. `from + count - 1` as one group (one shape computed, not `count`). */
export function replicaGroup(
  obj: KubeObject,
  defaultNamespace: string,
  from: number,
  count: number,
): ReplicaGroup | undefined {
  const namespace = obj.metadata?.namespace ?? defaultNamespace;
  const name = obj.metadata?.name ?? obj.metadata?.generateName ?? 'unnamed';
  const template = podTemplateOf(obj);
  if (!template || !EXPANDED.has(obj.kind ?? '') || count <= 0) return undefined;
  return { pod: solverPod(`${namespace}/${name}-`, namespace, template), from, count };
}

export function daemonSetOf(obj: KubeObject): DaemonSetShape | undefined {
  if (obj.kind !== 'DaemonSet') return undefined;
  const template = podTemplateOf(obj);
  if (!template) return undefined;
  const spec = template.spec;
  return {
    name: `${obj.metadata?.namespace ?? 'default'}/${obj.metadata?.name ?? ''}`,
    requests: requestsOf(spec),
    terms: podRequirementTerms(spec),
    tolerations: spec.tolerations ?? [],
  };
}
