/**
 * A NodeClaim's conditions, as Karpenter's lifecycle sets them: Launched (the cloud gave an instance),
 * Registered (its Node joined the cluster), Initialized (the Node is Ready, its start-up taints are gone
 * and what the claim asked for is registered), Ready (all three), and the disruption signals a person
 * reads with `kubectl describe nodeclaim`: Drifted, Consolidatable, Disrupting. Pure: the caller
 * passes the Node and what disruption knows of it.
 */
import type { V1Node } from '@kubernetes/client-node';
import { formatTaint } from '../../scheduling/taints.js';
import type { ClaimCondition, NodeClaim } from './object.js';

type Status = ClaimCondition['status'];
const cond = (type: string, status: Status, reason: string, message = ''): ClaimCondition => ({
  type,
  status,
  reason,
  message,
});

/** What disruption says of the claim's node, when it says anything. */
export interface DisruptionSignals {
  /** Why the node drifted (NodePool template, EC2NodeClass, image), if it did. */
  readonly drifted?: string;
  /** Past consolidateAfter with nothing scheduled or removed since, for a consolidating pool. */
  readonly consolidatable?: boolean;
  /** The method a drain or decision under way was made for (`consolidation`, `drift`, `deletion`, …). */
  readonly disrupting?: string;
}

/** The Node's Ready condition is True (not merely absent, as a Node not yet posted by its kubelet). */
export const nodeReady = (n: V1Node | undefined): boolean =>
  n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

function initialized(claim: NodeClaim, node: V1Node | undefined): ClaimCondition {
  if (!node) return cond('Initialized', 'Unknown', 'NodeNotFound', 'Node not registered with cluster');
  if (!nodeReady(node)) return cond('Initialized', 'Unknown', 'NodeNotReady', 'Node status is NotReady');
  const taints = node.spec?.taints ?? [];
  const startup = (claim.spec.startupTaints ?? []).find((s) =>
    taints.some((t) => t.key === s.key && t.effect === s.effect),
  );
  if (startup)
    return cond(
      'Initialized',
      'Unknown',
      'StartupTaintsExist',
      `StartupTaint "${formatTaint(startup)}" still exists`,
    );
  const allocatable = node.status?.allocatable ?? {};
  const missing = Object.keys(claim.spec.resources?.requests ?? {}).find(
    (r) => r.includes('/') && !(r in allocatable),
  );
  if (missing)
    return cond(
      'Initialized',
      'Unknown',
      'ResourceNotRegistered',
      `Resource "${missing}" was requested but not registered`,
    );
  return cond('Initialized', 'True', 'Initialized');
}

/** The conditions the claim should have now (Launched is the launcher's and is kept as it is). */
export function observed(claim: NodeClaim, node: V1Node | undefined, s: DisruptionSignals): ClaimCondition[] {
  const launched =
    claim.status?.conditions?.find((c) => c.type === 'Launched') ??
    cond('Launched', 'Unknown', 'AwaitingReconciliation', 'the instance is being launched');
  const registered = node
    ? cond('Registered', 'True', 'Registered')
    : cond('Registered', 'Unknown', 'NodeNotFound', 'Node not registered with cluster');
  const init = initialized(claim, node);
  const parts = [launched, registered, init];
  const blocking = parts.find((c) => c.status !== 'True');
  const ready = blocking
    ? cond(
        'Ready',
        blocking.status === 'False' ? 'False' : 'Unknown',
        `${blocking.type}${blocking.status === 'False' ? 'False' : 'NotReady'}`,
        blocking.message || `${blocking.type} is ${blocking.status}`,
      )
    : cond('Ready', 'True', 'Ready');
  const out = [...parts, ready];
  if (s.drifted !== undefined) out.push(cond('Drifted', 'True', 'Drifted', s.drifted));
  if (s.consolidatable === true) out.push(cond('Consolidatable', 'True', 'Consolidatable'));
  if (s.disrupting !== undefined)
    out.push(
      cond(
        'Disrupting',
        'True',
        s.disrupting === 'deletion' ? 'Deleted' : 'Disrupting',
        `being disrupted: ${s.disrupting}`,
      ),
    );
  return out;
}

/**
 * `next` with each condition's lastTransitionTime carried from `before` when its status did not change,
 * and set to `now` when it did (or is new).
 */
export function withTransitions(
  before: readonly ClaimCondition[] | undefined,
  next: readonly ClaimCondition[],
  now: Date,
): ClaimCondition[] {
  return next.map((c) => {
    const prev = before?.find((p) => p.type === c.type);
    const at = prev && prev.status === c.status ? prev.lastTransitionTime : undefined;
    return { ...c, lastTransitionTime: at ?? now.toISOString() };
  });
}

/** Whether two condition lists say the same (transition times aside). */
export function sameConditions(
  a: readonly ClaimCondition[] | undefined,
  b: readonly ClaimCondition[],
): boolean {
  if ((a ?? []).length !== b.length) return false;
  return b.every((c) => {
    const x = a?.find((p) => p.type === c.type);
    return x !== undefined && x.status === c.status && x.reason === c.reason && x.message === c.message;
  });
}
