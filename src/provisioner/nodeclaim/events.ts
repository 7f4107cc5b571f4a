/**
 * Events where a person looks: what disruption says of a Node (a decision, what blocks it, a drain) is
 * said on the Node's NodeClaim too, as Karpenter posts its disruption Events on both, so `kubectl
 * describe nodeclaim` explains why a node goes or stays.
 */
import type { EventSink } from '../../kube/events.js';
import { involvedClaim } from './launcher.js';
import type { NodeClaim } from './object.js';

export function onClaimsToo(events: EventSink, claims: () => readonly NodeClaim[]): EventSink {
  return {
    emit: (e) => {
      events.emit(e);
      if (e.involved.kind !== 'Node') return;
      const claim = claims().find((c) => c.status?.nodeName === e.involved.name);
      if (claim) events.emit({ ...e, involved: involvedClaim(claim) });
    },
  };
}
