/**
 * `berth why node`: whether a node is a consolidation, drift or expiry candidate, and what holds it.
 * The disruption methods the leader runs are run over the world in order (plan --consolidate's
 * planConsolidation, with consolidateAfter counted from the pods' binding times): a node some decision
 * takes says which and for what price; a node kept says the reason its DisruptionBlocked Event says.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../catalog/instance-type.js';
import { podsByNode } from '../provisioner/input/nodes.js';
import { daemonSetOf } from '../provisioner/input/pods.js';
import { classify } from '../provisioner/disruption/candidates.js';
import { planConsolidation, type DecisionOut } from '../provisioner/disruption/consolidation.js';
import { categoryOf } from '../provisioner/disruption/kept.js';
import { pdbStates } from '../provisioner/disruption/pods.js';
import { driftOf } from '../provisioner/disruption/node-policy.js';
import { eventLines, perHour, type WhyAnswer } from './answer.js';
import { candidacy, singleReplicaMoves, surgeViewOf } from './node-facts.js';
import { moveOf } from '../provisioner/disruption/surge.js';
import { WhyNotFound } from './not-found.js';
import { eventsOf, type WhyWorld } from './world.js';

const METHOD: Record<DecisionOut['method'], string> = {
  'scale-down': "its static NodePool's scale-down",
  expiration: 'expiration',
  emptiness: 'emptiness consolidation (it is empty)',
  drift: 'drift',
  'multi-node': 'multi-node consolidation',
  'single-node': 'single-node consolidation',
};

/** When a pod last came to each node (its binding time), or a NodeClaim's lastPodEventTime. */
function lastPodEvents(w: WhyWorld): (node: string) => number | undefined {
  const last = new Map<string, number>();
  const note = (node: string | undefined, iso: unknown) => {
    const t = iso === undefined ? Number.NaN : new Date(iso as string).getTime();
    if (node === undefined || Number.isNaN(t)) return;
    last.set(node, Math.max(last.get(node) ?? 0, t));
  };
  for (const p of w.pods)
    note(
      p.spec?.nodeName,
      p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True')?.lastTransitionTime,
    );
  for (const c of w.nodeClaims)
    note(c.status?.nodeName, (c.status as { lastPodEventTime?: string } | undefined)?.lastPodEventTime);
  return (node) => last.get(node);
}

function decisionText(d: DecisionOut, name: string, index: number): string {
  const others = d.remove.filter((n) => n !== name);
  const what =
    d.launch.length === 0
      ? 'delete it'
      : `replace it with ${d.launch.map((l) => `${l.instanceType} (${l.capacityType}, ${l.zone}, ${perHour(l.pricePerHour)})`).join(', ')}`;
  const together = others.length > 0 ? ` together with ${others.join(', ')}` : '';
  const order = index > 0 ? ` after ${index} other decision(s)` : '';
  return `${METHOD[d.method]} would ${what}${together}${order}, moving ${d.moves.length} pod(s); the NodePools' nodes cost ${perHour(d.pricePerHourBefore)} before and ${perHour(d.pricePerHourAfter)} after`;
}

/**
 * A drifted node kept by its pods: under a NodePool terminationGracePeriod, drift is eventual and its
 * pods no longer keep it (Karpenter v1.15, eventual.ts).
 */
const GRACE_FIX =
  "; or, as the node has drifted, set its NodePool's spec.template.spec.terminationGracePeriod: drift then waits on its pods only until that runs out";

/** What to do about a kept reason, by its kind. */
function fixFor(reason: string, node: string, drifted: boolean): string | undefined {
  const grace = drifted ? GRACE_FIX : '';
  switch (categoryOf(reason)) {
    case 'do-not-disrupt':
      return reason.startsWith('node')
        ? `kubectl annotate node ${node} karpenter.sh/do-not-disrupt- once it may go`
        : `remove the pod's karpenter.sh/do-not-disrupt annotation once it may move (or let its duration run out)${grace}`;
    case 'pdb':
      return `add replicas, or let the PodDisruptionBudget allow a disruption (minAvailable lower, or maxUnavailable higher)${grace}`;
    case 'no-controller':
      return 'run the pod under a Deployment, StatefulSet or Job, or delete it when it may go';
    case 'budget':
      return "wait for the budget's window to close, or widen the NodePool's spec.disruption.budgets";
    case 'min-savings':
      return "to replace nodes for less, lower policies.yaml's provisioner.consolidation.minSavingsPercent (or the runtime class's) below what the move saves";
    default:
      return undefined;
  }
}

function unmanaged(w: WhyWorld, node: V1Node): string | undefined {
  const pool = node.metadata?.labels?.[LABEL.nodePool];
  if (pool === undefined)
    return 'not launched from a NodePool (no karpenter.sh/nodepool label): Berth never disrupts it';
  const view = w.pools.find((p) => p.name === pool);
  if (!view) return `its NodePool ${pool} is not in ${w.source}: Berth does not disrupt it`;
  if (view.autoMode) return `EKS Auto Mode's NodePool ${pool}: EKS disrupts its nodes, not Berth`;
  return undefined;
}

export function whyNode(w: WhyWorld, name: string): WhyAnswer {
  const node = w.nodes.find((n) => n.metadata?.name === name);
  if (!node) throw new WhyNotFound(`node ${name}`, w.source);
  const claim = w.nodeClaims.find((c) => c.status?.nodeName === name);
  const events = eventLines([
    ...(claim ? eventsOf(w, 'NodeClaim', claim.metadata.name) : []),
    ...eventsOf(w, 'Node', name),
  ]);
  const head = { kind: 'Node' as const, name, events };
  const outside = unmanaged(w, node);
  if (outside !== undefined) return { ...head, state: 'not managed', reason: outside, facts: [] };
  const pods = w.pods as V1Pod[];
  const surge = surgeViewOf(w);
  const surges = (p: V1Pod) => moveOf(p, surge).kind === 'surge';
  const plan = planConsolidation({
    nodes: w.nodes,
    pods: pods.filter((p) => p.spec?.nodeName !== undefined || p.status?.phase === 'Pending'),
    pdbs: w.pdbs,
    pools: w.pools,
    daemonSets: w.daemonSets.flatMap((d) => daemonSetOf({ ...d, kind: 'DaemonSet' }) ?? []),
    catalog: w.catalog,
    now: w.now,
    spotToSpot: w.spotToSpot,
    ...(w.minSavings ? { minSavings: w.minSavings } : {}),
    settle: { lastPodEvent: lastPodEvents(w), defaultMs: w.defaultConsolidateAfterMs },
    surges,
  });
  const c = classify([node], podsByNode(pods), w.pools, pdbStates(w.pdbs, pods), {
    catalog: w.catalog,
    now: w.now,
    surges,
  });
  const info = c.managed.get(name);
  const facts = [
    ...(info ? candidacy(info, w.now) : []),
    ...(info ? singleReplicaMoves(info.moving, surge) : []),
    ...(claim ? [`NodeClaim ${claim.metadata.name}`] : []),
  ];
  const index = plan.decisions.findIndex((d) => d.remove.includes(name));
  const decision = plan.decisions[index];
  if (decision)
    return { ...head, state: 'to be disrupted', reason: decisionText(decision, name, index), facts };
  const kept = plan.kept.find((k) => k.node === name);
  const reason = kept?.reason ?? 'no disruption method takes it now';
  const fix = fixFor(reason, name, info !== undefined && driftOf(info) !== undefined);
  return {
    ...head,
    state: 'kept',
    blocker: categoryOf(reason),
    reason,
    ...(fix !== undefined ? { fix } : {}),
    facts,
  };
}
