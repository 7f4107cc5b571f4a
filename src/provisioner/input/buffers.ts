/**
 * The CapacityBuffers' virtual pods from the leader's caches: each buffer resolved against the
 * PodTemplates and workloads of its namespace (listed items carry no kind: it is put back here), its
 * chunks as pods that wait for a node and never get one (scheduling/capacity-buffer.ts).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { bufferPods } from '../../scheduling/capacity-buffer.js';

export interface BufferSources {
  readonly buffers: readonly KubeObject[];
  readonly podTemplates: readonly KubeObject[];
  /** Deployments, StatefulSets (kinded) and ReplicaSets (as listed) a scalableRef may name. */
  readonly workloads: readonly KubeObject[];
  readonly replicaSets: readonly KubeObject[];
}

/** The objects a buffer may name, each with its kind. */
export function bufferObjects(s: BufferSources): KubeObject[] {
  return [
    ...s.podTemplates.map((o) => ({ ...o, kind: 'PodTemplate' })),
    ...s.workloads,
    ...s.replicaSets.map((o) => ({ ...o, kind: 'ReplicaSet' })),
  ];
}

export function clusterBufferPods(s: BufferSources): V1Pod[] {
  if (s.buffers.length === 0) return [];
  return bufferPods(s.buffers, bufferObjects(s));
}
