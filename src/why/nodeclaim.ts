/**
 * `berth why nodeclaim`: where a claim stands in its lifecycle — launched, registered, initialized —
 * the first condition that is not True with its reason, what deletes it, and once its Node is there,
 * the node's own answer (what keeps it or takes it). Pure.
 */
import { eventLines, type WhyAnswer } from './answer.js';
import { whyNode } from './node.js';
import { WhyNotFound } from './not-found.js';
import { eventsOf, type WhyWorld } from './world.js';
import type { ClaimCondition, NodeClaim } from '../provisioner/nodeclaim/object.js';
import { LABEL } from '../catalog/instance-type.js';

const LIFECYCLE = ['Launched', 'Registered', 'Initialized'] as const;

const WAITING: Record<(typeof LIFECYCLE)[number], string> = {
  Launched: 'the cloud has not given it an instance yet',
  Registered: 'its instance runs, and its Node has not registered (the kubelet has not joined the cluster)',
  Initialized: 'its Node registered, and is not Ready or still has start-up taints',
};

function conditionLine(c: ClaimCondition): string {
  return `${c.type}: ${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}${c.lastTransitionTime ? ` since ${c.lastTransitionTime}` : ''}`;
}

function facts(claim: NodeClaim): string[] {
  const l = claim.metadata.labels ?? {};
  const where = [l[LABEL.instanceType], l[LABEL.capacityType], l[LABEL.zone]].filter((x) => x !== undefined);
  return [
    `NodePool ${l[LABEL.nodePool] ?? '?'}, EC2NodeClass ${claim.spec.nodeClassRef.name}${where.length > 0 ? `, ${where.join(' ')}` : ''}`,
    ...(claim.status?.providerID ? [`instance ${claim.status.providerID}`] : []),
    ...(claim.status?.conditions ?? []).map(conditionLine),
  ];
}

type Said = Pick<WhyAnswer, 'state' | 'reason'> & Partial<Pick<WhyAnswer, 'blocker' | 'fix'>>;

/** A claim being deleted, and for what (its Disrupting condition). */
function deleting(claim: NodeClaim, since: string): Said {
  const d = claim.status?.conditions?.find((c) => c.type === 'Disrupting' && c.status === 'True');
  const why = d ? ` for ${d.reason}${d.message ? ` (${d.message})` : ''}` : '';
  return {
    state: 'Deleting',
    reason: `being deleted since ${since}${why}: its Node is drained, then its instance terminated`,
  };
}

const JOIN_FIX =
  "look at the instance's console output and the kubelet's logs; a node that never joins is given up after the registration timeout";

/** The first lifecycle condition not True yet, and what it waits for. */
function notYet(claim: NodeClaim): Said | undefined {
  const conditions = claim.status?.conditions ?? [];
  const pending = LIFECYCLE.find((t) => conditions.find((c) => c.type === t)?.status !== 'True');
  if (pending === undefined) return undefined;
  const c = conditions.find((x) => x.type === pending);
  const said = c?.message ? ` (${c.reason}: ${c.message})` : '';
  const launched = pending === 'Launched';
  return {
    state: `not ${pending}`,
    blocker: launched ? 'the cloud' : 'the node joining',
    reason: `${WAITING[pending]}${said}`,
    ...(launched ? {} : { fix: JOIN_FIX }),
  };
}

export function whyNodeClaim(w: WhyWorld, name: string): WhyAnswer {
  const claim = w.nodeClaims.find((c) => c.metadata.name === name);
  if (!claim) throw new WhyNotFound(`nodeclaim ${name}`, w.source);
  const events = eventLines(eventsOf(w, 'NodeClaim', name));
  const head = { kind: 'NodeClaim' as const, name, events, facts: facts(claim) };
  const since = claim.metadata.deletionTimestamp;
  if (since !== undefined) return { ...head, ...deleting(claim, since) };
  const pending = notYet(claim);
  if (pending) return { ...head, ...pending };
  const node = claim.status?.nodeName;
  if (node === undefined || !w.nodes.some((n) => n.metadata?.name === node))
    return { ...head, state: 'Ready', reason: `Ready; its Node ${node ?? ''} is not in ${w.source}` };
  const answer = whyNode(w, node);
  return {
    ...head,
    state: `Ready, Node ${node} ${answer.state}`,
    ...(answer.blocker !== undefined ? { blocker: answer.blocker } : {}),
    reason: answer.reason,
    ...(answer.fix !== undefined ? { fix: answer.fix } : {}),
    facts: [...head.facts, ...answer.facts],
    events: eventLines([...eventsOf(w, 'NodeClaim', name), ...eventsOf(w, 'Node', node)]),
  };
}
