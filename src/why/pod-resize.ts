/**
 * What `berth why pod` says of a running pod's in-place resize (GA in Kubernetes 1.35): the
 * PodResizePending condition (Deferred: the node has no room yet; Infeasible: it never will) or
 * PodResizeInProgress, and what kube-scheduler counts on the node meanwhile. Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { boundPodRequests, resizePending } from '../kube/pod-resize.js';
import { podRequests } from '../kube/resources.js';

const shape = (r: { cpuMillis: number; memoryMiB: number }) => `${r.cpuMillis}m CPU, ${r.memoryMiB}Mi memory`;

export function resizeFacts(pod: V1Pod): string[] {
  const pending = resizePending(pod);
  const inProgress = pod.status?.conditions?.some(
    (c) => c.type === 'PodResizeInProgress' && c.status === 'True',
  );
  if (!pending && inProgress !== true) return [];
  const asked = podRequests(pod.spec ?? { containers: [] });
  const counted = boundPodRequests(pod);
  const why = pending?.message ? `: ${pending.message}` : '';
  const state =
    pending?.reason === 'Infeasible'
      ? `in-place resize to ${shape(asked)} is Infeasible${why}: the kubelet will not apply it on this node; kube-scheduler counts what is allocated, ${shape(counted)}, not the new ask`
      : pending?.reason === 'Deferred'
        ? `in-place resize to ${shape(asked)} is Deferred${why}: the kubelet applies it when the node has room; meanwhile kube-scheduler counts ${shape(counted)} (the most of the spec, the allocated and the actual resources)`
        : `in-place resize to ${shape(asked)} is in progress; kube-scheduler counts ${shape(counted)} (the most of the spec, the allocated and the actual resources) until it completes`;
  return [state];
}
