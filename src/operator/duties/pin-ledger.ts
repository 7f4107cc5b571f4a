/**
 * The scheduling gates' PinRoom (provisioner/controller/pin-room.ts) from the leader's caches: each
 * Node's allocatable, the pods bound to it or pinned to it and let through, and the pins under way
 * that the cache does not show yet.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Resource } from '../../kube/informers.js';
import { pinnedNode } from '../../kube/pod-pins.js';
import { PinRoom } from '../../provisioner/controller/pin-room.js';
import { allocatableOf, holdsResources } from '../../provisioner/input/nodes.js';
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
    if (p.metadata?.deletionTimestamp !== undefined || (spec.schedulingGates?.length ?? 0) > 0) continue;
    const node = pinnedNode(p);
    if (node !== undefined) room.add(node, requestsOf(spec));
  }
  for (const w of underWay) room.add(w.node, w.requests);
  return room;
}
