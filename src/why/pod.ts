/**
 * `berth why pod`: whether a pod runs, and if it waits, what holds it — a scheduling gate, a volume,
 * kube-scheduler, or provisioning — with every NodePool's first reason and what Berth decided for it.
 * The provisioner's round is simulated over the world; its reason for a pod no pool can take is the
 * ProvisioningFailed Event's text. Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { SCHEDULING_GATE } from '../admission/gate.js';
import { noPoolFor } from '../provisioner/solver/explain.js';
import { LABEL } from '../catalog/instance-type.js';
import { eventLines, splitFix, type WhyAnswer } from './answer.js';
import { decided } from './pod-decision.js';
import { poolLines } from './pod-pools.js';
import { simulateRound } from './simulate.js';
import { claimsOf, type ClaimState } from '../provisioner/input/volume-topology.js';
import { eventsOf, type WhyWorld } from './world.js';
import { WhyNotFound } from './not-found.js';
import { resizeFacts } from './pod-resize.js';

type Body = Omit<WhyAnswer, 'kind' | 'name' | 'namespace' | 'events'>;

/** The pod's and its owner's Events (kube-scheduler's FailedScheduling, Berth's ProvisioningFailed). */
function podEvents(w: WhyWorld, pod: V1Pod) {
  const ns = pod.metadata?.namespace ?? 'default';
  const own = eventsOf(w, 'Pod', pod.metadata?.name ?? '', ns);
  const owners = (pod.metadata?.ownerReferences ?? []).flatMap((o) => eventsOf(w, o.kind, o.name, ns));
  return [...owners, ...own];
}

function lastFailedScheduling(w: WhyWorld, pod: V1Pod): string | undefined {
  const events = eventsOf(w, 'Pod', pod.metadata?.name ?? '', pod.metadata?.namespace ?? 'default');
  return events.filter((e) => e.reason === 'FailedScheduling').at(-1)?.message;
}

function bound(w: WhyWorld, pod: V1Pod, node: string): Body {
  const n = w.nodes.find((x) => x.metadata?.name === node);
  const pool = n?.metadata?.labels?.[LABEL.nodePool];
  const claim = w.nodeClaims.find((c) => c.status?.nodeName === node)?.metadata.name;
  const where = [pool && `NodePool ${pool}`, claim && `NodeClaim ${claim}`].filter(Boolean).join(', ');
  const phase = pod.status?.phase ?? 'Pending';
  return {
    state: phase,
    reason:
      phase === 'Pending'
        ? `bound to Node ${node}${where ? ` (${where})` : ''}: the kubelet is starting its containers`
        : `scheduled on Node ${node}${where ? ` (${where})` : ''}`,
    facts: resizeFacts(pod),
  };
}

/** Gates other than Berth's: kube-scheduler waits until whoever added them lifts them. */
function foreignGate(gates: readonly string[]): Body {
  return {
    state: 'SchedulingGated',
    blocker: 'scheduling gate',
    reason: `held by scheduling gate ${gates.join(', ')}, which Berth does not own: kube-scheduler does not consider the pod until it is removed`,
    fix: 'ask the controller that added the gate, or remove it (kubectl edit pod): a gate can only be removed',
    facts: [],
  };
}

/** A claim the pod needs that is not there: kube-scheduler waits for it. */
function missingClaim(claims: readonly ClaimState[]): Body | undefined {
  const missing = claims.find((c) => c.missing === true);
  if (!missing) return undefined;
  return {
    state: 'Pending',
    blocker: 'kube-scheduler',
    reason: `its PersistentVolumeClaim ${missing.claim} does not exist: kube-scheduler does not place a pod whose claim is missing`,
    fix: `create PersistentVolumeClaim ${missing.claim}, or fix the claim name in the pod's volumes`,
    facts: [],
  };
}

function waiting(w: WhyWorld, pod: V1Pod, id: string, claims: readonly ClaimState[]): Body {
  const plan = simulateRound(w);
  const gated = (pod.spec?.schedulingGates ?? []).some((g) => g.name === SCHEDULING_GATE);
  const gateFact = gated
    ? [
        `held by Berth's scheduling gate ${SCHEDULING_GATE}: the leader lifts it once the pod has room (capacity there, or the node planned for it Ready), or at once when no NodePool can take it`,
      ]
    : [];
  const volumeFacts = claims.flatMap((c) =>
    c.zones
      ? [`volume claim ${c.claim} is bound to PersistentVolume ${c.volume ?? ''} in ${c.zones.join(', ')}`]
      : [],
  );
  const auto = plan.servedByAutoMode.find((s) => s.pod === id);
  if (auto)
    return {
      state: 'Pending',
      blocker: 'EKS Auto Mode',
      reason: `EKS Auto Mode's NodePool ${auto.nodePool} takes it: EKS launches its node, not Berth`,
      nodePools: poolLines(pod, w, claims, []),
      facts: [...gateFact, ...volumeFacts],
    };
  const u = plan.unschedulable.find((x) => x.pod === id);
  if (u) {
    const nodePools = poolLines(pod, w, claims, u.pools ?? []);
    const first = nodePools[0];
    // The provisioner's own reason (its Event's text) unless a volume's zone rules out the closest pool.
    const said = first?.reason.startsWith('its volume claim') === true ? first : splitFix(u.reason);
    return {
      state: 'Pending',
      blocker: 'provisioning',
      reason: said === first ? said.reason : noPoolFor(said.reason),
      ...(said.fix !== undefined ? { fix: said.fix } : {}),
      nodePools,
      facts: [...gateFact, ...volumeFacts],
    };
  }
  const target = plan.bindings.find((b) => b.pod === id)?.node;
  const planned = plan.nodes.find((n) => n.name === target);
  if (!planned)
    return {
      state: 'Pending',
      reason: 'the provisioner does not plan it (a DaemonSet pod, or one another scheduler places)',
      facts: [...gateFact, ...volumeFacts],
    };
  const d = decided(w, planned, { failedScheduling: lastFailedScheduling(w, pod), gated });
  return { ...d, facts: [...gateFact, ...volumeFacts, ...d.facts] };
}

export function whyPod(w: WhyWorld, namespace: string, name: string): WhyAnswer {
  const pod = w.pods.find(
    (p) => p.metadata?.name === name && (p.metadata.namespace ?? 'default') === namespace,
  );
  if (!pod) throw new WhyNotFound(`pod ${namespace}/${name}`, w.source);
  const head = { kind: 'Pod' as const, name, namespace, events: eventLines(podEvents(w, pod)) };
  if (pod.metadata?.deletionTimestamp !== undefined)
    return {
      ...head,
      state: 'Terminating',
      reason: `being deleted since ${String(pod.metadata.deletionTimestamp)}`,
      facts: [],
    };
  const node = pod.spec?.nodeName;
  if (node !== undefined && node !== '') return { ...head, ...bound(w, pod, node) };
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed')
    return {
      ...head,
      state: phase,
      reason: `it has ${phase === 'Succeeded' ? 'completed' : 'failed'}: it holds no node`,
      facts: [],
    };
  const gates = (pod.spec?.schedulingGates ?? []).map((g) => g.name).filter((g) => g !== SCHEDULING_GATE);
  if (gates.length > 0) return { ...head, ...foreignGate(gates) };
  const claims = claimsOf(pod, w.pvcs, w.pvs);
  const missing = missingClaim(claims);
  if (missing) return { ...head, ...missing };
  return { ...head, ...waiting(w, pod, `${namespace}/${name}`, claims) };
}
