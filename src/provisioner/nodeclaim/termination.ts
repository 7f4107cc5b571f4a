/**
 * Graceful deletion through Karpenter's `karpenter.sh/termination` finalizer. `kubectl delete nodeclaim`
 * (or `kubectl delete node` of a claim's Node) marks the Node for a drain by disruption's drainer — the
 * `karpenter.sh/disrupted:NoSchedule` taint, evictions through the Eviction API within PDBs,
 * do-not-disrupt and terminationGracePeriod — which terminates the instance when the Node is empty;
 * then the finalizers come off both objects and they go. One step per round. Pure over its hands.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EventSink } from '../../kube/events.js';
import type { Instance } from '../cloud/provider.js';
import { isDraining } from '../disruption/marks.js';
import { involvedClaim } from './launcher.js';
import { TERMINATION_FINALIZER, type NodeClaim } from './object.js';
import type { ClaimStore } from './store.js';

export interface TerminationOps {
  /** Taints the Node and hands it to the drainer (`draining:deletion`, the drain's start time). */
  drain(node: V1Node): Promise<void>;
  terminateInstance(id: string): Promise<void>;
  addNodeFinalizer(node: V1Node): Promise<void>;
  /** Takes the finalizer off the Node, deleting it first if nobody has. */
  releaseNode(node: V1Node): Promise<void>;
}

export interface TerminationDeps {
  readonly claims: ClaimStore;
  readonly ops: TerminationOps;
  readonly events: EventSink;
  readonly logger: Logger;
}

/** One step of a claim's (or its Node's) deletion. */
export async function terminationStep(
  claim: NodeClaim,
  node: V1Node | undefined,
  instance: Instance | undefined,
  d: TerminationDeps,
): Promise<void> {
  const name = claim.metadata.name;
  const nodeName = node?.metadata?.name ?? '';
  const tell = (type: 'Normal' | 'Warning', reason: string, message: string) => {
    d.events.emit({ involved: involvedClaim(claim), type, reason, message });
  };
  if (claim.metadata.deletionTimestamp === undefined) {
    // The Node was deleted: its claim goes the same way (Karpenter's node termination).
    tell('Normal', 'Disrupting', `Node ${nodeName} was deleted: deleting its NodeClaim`);
    await d.claims.delete(name);
    return;
  }
  if (node && instance) {
    if (isDraining(node)) return; // the drainer is on it; it terminates the instance when done
    await d.ops.drain(node);
    tell(
      'Normal',
      'Disrupting',
      `deleted: draining Node ${nodeName} (evictions respect PDBs and do-not-disrupt)`,
    );
    d.logger.info({ claim: name, node: nodeName }, 'NodeClaim deleted: draining its node');
    return;
  }
  if (instance) {
    // No Node to drain (it never registered, or it is gone): the instance goes at once.
    await d.ops.terminateInstance(instance.id);
    d.logger.info({ claim: name, instanceId: instance.id }, 'NodeClaim deleted: instance terminated');
    return;
  }
  if (node) await d.ops.releaseNode(node);
  await d.claims.release(name, TERMINATION_FINALIZER);
  tell('Normal', 'Terminated', `instance terminated${nodeName ? `, Node ${nodeName} removed` : ''}`);
  d.logger.info({ claim: name, node: nodeName || undefined }, 'NodeClaim terminated');
}
