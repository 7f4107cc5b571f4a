/** Existing nodes, from Node objects and the pods bound to them. */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { cpuMillis, memoryMiB, parseQuantity } from '../../kube/quantity.js';
import { DEFAULT_EPHEMERAL_GIB } from '../../catalog/instance-type.js';
import type { BoundPod, ExistingNode } from '../solver/model.js';
import { ACCELERATOR_DIMS, ZERO, type Res } from '../solver/resources.js';
import type { Taint } from '../../scheduling/taints.js';
import { boundRequestsOf } from './pods.js';
import { normalizedKey } from '../../scheduling/well-known.js';

export function allocatableOf(node: V1Node): Res {
  const a = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string | undefined>;
  const out: Res = {
    ...ZERO,
    cpu: cpuMillis(a.cpu) ?? 0,
    mem: memoryMiB(a.memory) ?? 0,
    pods: Number.parseInt(a.pods ?? '110', 10),
    // A node that does not say (a test's Node) is taken to have the default root volume's room.
    eph: memoryMiB(a['ephemeral-storage']) ?? DEFAULT_EPHEMERAL_GIB * 1024,
  };
  for (const [dim, name] of ACCELERATOR_DIMS) out[dim] = parseQuantity(a[name]) ?? 0;
  return out;
}

/** The pods bound to each Node, by its name (whatever their phase). */
export function podsByNode(pods: readonly V1Pod[]): Map<string, V1Pod[]> {
  const out = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (node === undefined) continue;
    const list = out.get(node);
    if (list) list.push(p);
    else out.set(node, [p]);
  }
  return out;
}

/** Pods that hold resources on their node: bound and not finished. */
export function holdsResources(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return pod.spec?.nodeName !== undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

export function boundPod(pod: V1Pod): BoundPod {
  const namespace = pod.metadata?.namespace ?? 'default';
  const spec = pod.spec ?? { containers: [] };
  const anti = spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  return {
    id: `${namespace}/${pod.metadata?.name ?? ''}`,
    namespace,
    labels: pod.metadata?.labels ?? {},
    // What kube-scheduler counts on the node, an in-place resize under way included.
    requests: boundRequestsOf(pod),
    antiAffinity: anti.map((t) => ({
      key: normalizedKey(t.topologyKey),
      selector: t.labelSelector ?? {},
      namespaces: t.namespaces && t.namespaces.length > 0 ? t.namespaces : [namespace],
    })),
  };
}

/**
 * Taints a node carries only while it starts (Karpenter's known ephemeral taints): a node that just
 * joined is planned as it will be in a moment, or every round would buy again for the same pods.
 */
const EPHEMERAL_TAINTS: ReadonlySet<string> = new Set([
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'node.cloudprovider.kubernetes.io/uninitialized',
  'karpenter.sh/unregistered',
]);

/** A Ready condition that is not True (a Node without conditions is taken as it is). */
function notReady(node: V1Node): boolean {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return ready !== undefined && ready.status !== 'True';
}

/**
 * Whether kube-scheduler can place pods on a Node now: its Ready condition True (a Node kwok has not
 * yet initialised has none), not cordoned or being deleted, and without a taint only a starting node
 * carries (no pod tolerates them).
 */
export function takesPods(node: V1Node): boolean {
  return (
    node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true &&
    node.spec?.unschedulable !== true &&
    node.metadata?.deletionTimestamp === undefined &&
    !(node.spec?.taints ?? []).some((t) => EPHEMERAL_TAINTS.has(t.key))
  );
}

/** Whether a taint is one only a starting node carries: ephemeral, or one of its NodePool's startupTaints. */
export const startingTaint = (t: Taint, startupTaints: readonly Taint[]): boolean =>
  EPHEMERAL_TAINTS.has(t.key) || startupTaints.some((s) => s.key === t.key && s.effect === t.effect);

/**
 * A Node as the solver sees it. `startupTaints` are its NodePool's (spec.template.spec.startupTaints):
 * some agent lifts them once the node is up, so, like the ephemeral ones, they do not keep pods away.
 */
export function existingNode(
  node: V1Node,
  pods: readonly V1Pod[],
  inFlight = false,
  startupTaints: readonly Taint[] = [],
): ExistingNode {
  const starting = (t: Taint): boolean => startingTaint(t, startupTaints);
  const name = node.metadata?.name ?? '';
  const deleting = node.metadata?.deletionTimestamp !== undefined;
  return {
    name,
    labels: { 'kubernetes.io/hostname': name, ...(node.metadata?.labels ?? {}) },
    taints: (node.spec?.taints ?? []).filter((t) => !starting(t)),
    allocatable: allocatableOf(node),
    pods: pods.filter((p) => p.spec?.nodeName === name && holdsResources(p)).map(boundPod),
    inFlight,
    ...(node.spec?.providerID ? { providerId: node.spec.providerID } : {}),
    unschedulable: node.spec?.unschedulable === true || deleting,
    ...(notReady(node) ? { notReady: true } : {}),
  };
}
