/**
 * A bound pod's requests as kube-scheduler counts them while an in-place resize (GA in Kubernetes
 * 1.35) is pending or in progress: k8s.io/component-helpers resource.PodRequests with
 * UseStatusResources and InPlacePodLevelResourcesVerticalScaling (beta, on, since 1.36), as
 * pkg/scheduler/framework PodInfo.CalculateResource calls it. Each resource is the largest of what the
 * spec asks, what the kubelet allocated and what the container runs with; when the resize is
 * Infeasible, the spec's new ask is not counted. Pod-level resources likewise. Pure.
 */
import type { V1Container, V1ContainerStatus, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import {
  addContainer,
  addOverhead,
  addRequests,
  aggregateContainers,
  maxRequests,
  podLevelRequest,
  requestsOfList,
  zero,
  type PodRequests,
} from './resources.js';
import { cpuMillis, memoryMiB } from './quantity.js';

type ResourceList = Record<string, string | number>;
type PodStatusResources = {
  allocatedResources?: ResourceList;
  resources?: { requests?: ResourceList };
};

/** The PodResizePending condition's reason (Deferred or Infeasible), when a resize waits. */
export function resizePending(pod: Pick<V1Pod, 'status'>): { reason: string; message: string } | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodResizePending');
  return c ? { reason: c.reason ?? '', message: c.message ?? '' } : undefined;
}

/** IsPodResizeInfeasible. */
export const isResizeInfeasible = (pod: Pick<V1Pod, 'status'>): boolean =>
  resizePending(pod)?.reason === 'Infeasible';

function statusOf(pod: V1Pod, name: string): V1ContainerStatus | undefined {
  return (
    pod.status?.containerStatuses?.find((s) => s.name === name) ??
    pod.status?.initContainerStatuses?.find((s) => s.name === name)
  );
}

const allocatedOf = (s: V1ContainerStatus | undefined) => s?.allocatedResources as ResourceList | undefined;
const actualOf = (s: V1ContainerStatus | undefined) => s?.resources?.requests as ResourceList | undefined;

/** The containers' requests: max(spec, allocated, actual), or max(allocated, actual) when Infeasible. */
function containerLevel(pod: V1Pod, spec: V1PodSpec, infeasible: boolean): PodRequests {
  const fallback = (into: PodRequests, c: V1Container) => {
    if (!infeasible) addContainer(into, c);
  };
  const podStatus = pod.status as PodStatusResources | undefined;
  const podAllocated = podStatus?.allocatedResources;
  const podActual = podStatus?.resources?.requests;
  let allocated: PodRequests;
  let actual: PodRequests;
  if (podAllocated && podActual) {
    // The pod-level status maps already hold the containers' aggregate.
    allocated = requestsOfList(podAllocated);
    actual = requestsOfList(podActual);
  } else {
    allocated = aggregateContainers(spec, (into, c) => {
      const a = allocatedOf(statusOf(pod, c.name));
      if (a) addRequests(into, requestsOfList(a));
      else fallback(into, c);
    });
    actual = aggregateContainers(spec, (into, c) => {
      const s = statusOf(pod, c.name);
      const r = actualOf(s) ?? allocatedOf(s);
      if (r) addRequests(into, requestsOfList(r));
      else fallback(into, c);
    });
  }
  const out = infeasible ? zero() : aggregateContainers(spec, addContainer);
  maxRequests(out, allocated);
  maxRequests(out, actual);
  return out;
}

/** The pod-level request of cpu or memory, with its status when the kubelet reports one. */
function podLevel(
  pod: V1Pod,
  spec: V1PodSpec,
  resource: 'cpu' | 'memory',
  infeasible: boolean,
): number | undefined {
  const asked = podLevelRequest(spec, resource);
  if (asked === undefined) return undefined;
  const read = resource === 'cpu' ? cpuMillis : memoryMiB;
  const status = pod.status as PodStatusResources | undefined;
  if (!status?.resources) return read(asked) ?? undefined;
  const values = [
    infeasible ? undefined : asked,
    status.resources.requests?.[resource],
    status.allocatedResources?.[resource],
  ].map((v) => (v === undefined ? 0 : (read(v) ?? 0)));
  return Math.max(...values);
}

/** PodRequests of a pod as bound to a node: what kube-scheduler's NodeInfo counts on that node. */
export function boundPodRequests(pod: V1Pod): PodRequests {
  const spec = pod.spec ?? { containers: [] };
  const infeasible = isResizeInfeasible(pod);
  const reqs = containerLevel(pod, spec, infeasible);
  const cpu = podLevel(pod, spec, 'cpu', infeasible);
  const mem = podLevel(pod, spec, 'memory', infeasible);
  if (cpu !== undefined) reqs.cpuMillis = cpu;
  if (mem !== undefined) reqs.memoryMiB = mem;
  addOverhead(reqs, spec);
  return reqs;
}
