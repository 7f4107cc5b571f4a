/**
 * Whether a held pod can still go on the node the plan put it on, now that kube-scheduler has bound
 * other pods there (its scoring, not Berth, picks the node). A pod that cannot is planned afresh rather
 * than held: the room the plan meant for it went to another workload's pod, or a pod bound there since
 * excludes it on the hostname key (required anti-affinity either way, or a hostname spread that the
 * node's matching pods already use up). A node that came up too small for it (the guard's case) still
 * holds it. Pure.
 */
import { LABEL } from '../../catalog/instance-type.js';
import type { BoundPod, ExistingNode, SolverPod, TopologyTerm } from '../solver/model.js';
import { addInto, fitsWith, ZERO, type Res } from '../solver/resources.js';
import { termSelects } from '../solver/topology.js';

/**
 * The room the plan meant for the pod went to other pods: it fits on the node beside what is already
 * held there, but not beside what the scheduler bound there meanwhile.
 */
export function roomTaken(node: ExistingNode, heldThere: readonly BoundPod[], pod: BoundPod): boolean {
  const held: Res = { ...ZERO };
  for (const p of heldThere) addInto(held, p.requests);
  if (!fitsWith(node.allocatable, held, pod.requests)) return false;
  const used: Res = { ...held };
  for (const p of node.pods) addInto(used, p.requests);
  return !fitsWith(node.allocatable, used, pod.requests);
}

/** The pod does not fit on the node beside what runs and is held there (a claim in flight's room). */
export function noRoom(node: ExistingNode, heldThere: readonly BoundPod[], pod: BoundPod): boolean {
  const used: Res = { ...ZERO };
  for (const p of [...node.pods, ...heldThere]) addInto(used, p.requests);
  return !fitsWith(node.allocatable, used, pod.requests);
}

/**
 * What the node runs or holds excludes the pod on the hostname key: its required anti-affinity selects
 * one of them, one of theirs selects it, or a hostname spread of its would go over maxSkew there (the
 * least loaded hostname counts 0, as in the solver).
 */
export function hostnameExcluded(
  node: ExistingNode,
  heldThere: readonly BoundPod[],
  pod: SolverPod,
): boolean {
  const there = [...node.pods, ...heldThere];
  const host = (t: TopologyTerm) => t.key === LABEL.hostname;
  if (pod.antiAffinity.some((t) => host(t) && there.some((p) => termSelects(t, p)))) return true;
  if (there.some((p) => (p.antiAffinity ?? []).some((t) => host(t) && termSelects(t, pod)))) return true;
  return pod.spread.some(
    (s) =>
      host(s) && there.filter((p) => termSelects(s, p)).length + (termSelects(s, pod) ? 1 : 0) > s.maxSkew,
  );
}
