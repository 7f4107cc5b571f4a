/**
 * What Berth decided for a waiting pod some NodePool can take: the Node or NodeClaim its round puts it
 * on, and for a node still to buy, what became of the pool's last launches (a capacity error, a class
 * not Ready), read from the claims and their Events. Pure.
 */
import { LABEL } from '../catalog/instance-type.js';
import type { PlannedNode } from '../provisioner/solver/model.js';
import { ago, perHour, type WhyAnswer } from './answer.js';
import { nodeReady } from '../provisioner/nodeclaim/conditions.js';
import { onItsWay } from './simulate.js';
import { eventTime, type WhyWorld } from './world.js';

type Decided = Pick<WhyAnswer, 'state' | 'blocker' | 'reason' | 'facts'> & { fix?: string };

/** The failed launches of a pool's claims (their Events outlive the claims deleted for them). */
function failedLaunches(w: WhyWorld, pool: string): string[] {
  const failures = new Set(['InsufficientCapacityError', 'LaunchFailed', 'NodeClassNotReady']);
  return w.events
    .filter(
      (e) =>
        e.involvedObject.kind === 'NodeClaim' &&
        (e.involvedObject.name ?? '').startsWith(`${pool}-`) &&
        failures.has(e.reason ?? ''),
    )
    .sort((a, b) => eventTime(a) - eventTime(b))
    .slice(-3)
    .map((e) => {
      const claim = e.involvedObject.name ?? '';
      const message = (e.message ?? '').replace(`NodeClaim ${claim} event: `, '');
      return `${e.reason ?? ''} on NodeClaim ${claim}: ${message}`;
    });
}

/** The round puts the pod on a Node that is there, or a claim on its way. */
function onExisting(w: WhyWorld, target: string, failed: string | undefined, gated: boolean): Decided {
  const claim = w.nodeClaims.find((c) => c.metadata.name === target && onItsWay(c, w));
  if (claim) {
    const launched = claim.status?.conditions?.find((c) => c.type === 'Launched');
    const type = claim.metadata.labels?.[LABEL.instanceType] ?? 'an instance';
    return {
      state: 'Pending',
      blocker: 'provisioning',
      reason: `waiting for NodeClaim ${target} (${type}, created ${ago(claim.metadata.creationTimestamp, w.now)}): ${launched?.status === 'True' ? 'launched, its Node has not joined yet' : 'being launched'}`,
      facts: [
        `NodePool ${claim.metadata.labels?.[LABEL.nodePool] ?? '?'} launched it for pods like this one`,
      ],
    };
  }
  const node = w.nodes.find((n) => n.metadata?.name === target);
  if (node && !nodeReady(node))
    return {
      state: 'Pending',
      blocker: 'provisioning',
      reason: `waiting for Node ${target} to be Ready (it has room for the pod)`,
      facts: [],
    };
  if (gated)
    return {
      state: 'SchedulingGated',
      blocker: 'scheduling gate',
      reason: `held by Berth's scheduling gate berth.dev/capacity although Node ${target} has room for it: the leader lifts it within seconds`,
      fix: 'a gate that stays means no Berth leader runs: kubectl -n berth-system get lease, and its logs',
      facts: [],
    };
  return {
    state: 'Pending',
    blocker: 'kube-scheduler',
    reason: `Node ${target} has room for it in Berth's simulation; kube-scheduler has not placed it${failed !== undefined ? ` (it last said: ${failed})` : ''}`,
    fix: `kubectl describe pod and kubectl describe node ${target}: what kube-scheduler checks beyond requests (host ports, volume limits, inter-pod terms) refuses it`,
    facts: [],
  };
}

/** The round would buy a node for it: the pool, the offering, and what the pool's last launches did. */
function onNew(w: WhyWorld, planned: PlannedNode): Decided {
  const failed = failedLaunches(w, planned.nodePool);
  const facts = [
    `the provisioner's round would launch ${planned.instanceType} (${planned.capacityType}, ${planned.zone}, ${perHour(planned.pricePerHour)}) in NodePool ${planned.nodePool} for it${planned.pods.length > 1 ? ` and ${planned.pods.length - 1} other pod(s)` : ''}`,
    ...failed.map((f) => `last launch: ${f}`),
  ];
  const last = failed.at(-1);
  if (last !== undefined)
    return {
      state: 'Pending',
      blocker: 'provisioning',
      reason: `NodePool ${planned.nodePool} can take it, but its last launch failed: ${last}`,
      facts,
    };
  return {
    state: 'Pending',
    blocker: 'provisioning',
    reason: `NodePool ${planned.nodePool} can take it: a node is to be launched for it (no NodeClaim for it yet)`,
    fix: 'if no NodeClaim appears within a minute, check that a Berth leader runs (kubectl -n berth-system get lease) and its logs',
    facts,
  };
}

export function decided(
  w: WhyWorld,
  planned: PlannedNode,
  o: { failedScheduling: string | undefined; gated: boolean },
): Decided {
  return planned.existing ? onExisting(w, planned.name, o.failedScheduling, o.gated) : onNew(w, planned);
}
