/**
 * Pins as the leader's caches show them: the scheduling gates' PinRoom (provisioner/controller/pin-room.ts)
 * — each Node's allocatable, the pods bound to it or pinned to it and let through, and the pins under
 * way that the cache does not show yet — and the pinned pods that wait for kube-scheduler, as the
 * pin-repair duty reads them (provisioner/controller/pin-faults.ts).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Resource } from '../../kube/informers.js';
import { pinnable, waitingOnPin } from '../../kube/pod-pins.js';
import type { PinnedPod } from '../../provisioner/controller/pin-faults.js';
import { PinRoom } from '../../provisioner/controller/pin-room.js';
import { allocatableOf, holdsResources, startingTaint } from '../../provisioner/input/nodes.js';
import { untoleratedTaint, type Taint } from '../../scheduling/taints.js';
import { requestsOf } from '../../provisioner/input/pods.js';
import type { Res } from '../../provisioner/solver/resources.js';

/** A pin under way: the pod's gate is coming off (or came off, unseen yet) with a pin to `node`. */
export interface PinUnderWay {
  readonly node: string;
  readonly requests: Res;
}

export function pinLedger(
  pods: readonly V1Pod[],
  nodes: Pick<Resource<V1Node>, 'get'>,
  underWay: Iterable<PinUnderWay>,
): PinRoom {
  const room = new PinRoom((name) => {
    const n = nodes.get(name);
    return n ? allocatableOf(n) : undefined;
  });
  for (const p of pods) {
    const spec = p.spec;
    if (!spec) continue;
    if (holdsResources(p)) {
      room.add(spec.nodeName ?? '', requestsOf(spec));
      continue;
    }
    const node = waitingOnPin(p);
    if (node !== undefined) room.add(node, requestsOf(spec));
  }
  for (const w of underWay) room.add(w.node, w.requests);
  return room;
}

/** A pinned pod Berth may make again that kube-scheduler has not bound yet, with its Node. */
export function waitingPin(p: V1Pod): string | undefined {
  return pinnable(p) ? waitingOnPin(p) : undefined;
}

/**
 * Whether kube-scheduler says it cannot place the pod. (Its condition's lastTransitionTime does not
 * say since when: PodScheduled was already False while the pod was gated, so the time is the gate's.)
 */
export function refused(p: V1Pod): boolean {
  const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
  return c?.status === 'False' && c.reason === 'Unschedulable';
}

/** A waiting pinned pod as pin-faults.ts reads it, beside its Node's start-up taints. */
export function pinnedPod(
  pod: V1Pod,
  since: number | undefined,
  node: V1Node | undefined,
  startup: readonly Taint[],
): PinnedPod {
  const spec = pod.spec ?? { containers: [] };
  const tolerations = spec.tolerations ?? [];
  const starting = (node?.spec?.taints ?? []).filter((t) => startingTaint(t, startup));
  return {
    requests: requestsOf(spec),
    tolerations,
    ...(since === undefined ? {} : { unschedulableSince: since }),
    ...(untoleratedTaint(starting, tolerations) ? { nodeStarting: true } : {}),
  };
}
