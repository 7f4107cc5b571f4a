/**
 * What a round hands keepReturningRoom (controller/returning-room.ts): the pods the workloads coming
 * back have still to make, as solver pods, and which of the round's pods are those workloads' own. A
 * workload scaled through its spec is planned ahead of its pods (the admission feed's replica group,
 * demand.ts) as well: those replicas are its pods still to come already, so only the ones beyond them
 * are added, and the group is the workload's own. Counted twice, the group and the same workload's
 * returning pods could not all be placed, the group read as another workload's waiting pods, and no
 * room was kept at the first rounds of a high (bench:cluster's churn workload: kept once in twenty
 * highs). Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { waitingPods } from '../controller/demand.js';
import { podId } from '../disruption/pods.js';
import { RETURNING_ANNOTATION, workloadOf } from '../disruption/returning.js';
import { expandGroups, type ReplicaGroup, type SolverPod } from '../solver/model.js';
import { podsOf } from './pods.js';

export interface ReturningInput {
  /** The pods still to come that no replica group plans yet. */
  readonly coming: SolverPod[];
  /** The solver ids of the waiting pods and planned replicas of the workloads coming back. */
  readonly theirs: Set<string>;
}

const workloadFor = (p: V1Pod): string => p.metadata?.annotations?.[RETURNING_ANNOTATION] ?? '';

/**
 * `returning`: disruption/returning.ts's pods to come; `cameBack`: the workloads that came back within
 * the window (at a high, the one scaled first has made all its pods); `ahead`: the replicas planned
 * ahead of their pods, per workload.
 */
export function returningInput(
  pods: readonly V1Pod[],
  returning: readonly V1Pod[],
  cameBack: ReadonlySet<string>,
  ahead: ReadonlyMap<string, ReplicaGroup>,
): ReturningInput {
  const theirs = new Set<string>();
  if (returning.length === 0) return { coming: [], theirs };
  const covered = new Map<string, number>();
  const left: V1Pod[] = [];
  for (const p of returning) {
    const w = workloadFor(p);
    const n = covered.get(w) ?? 0;
    covered.set(w, n + 1);
    if (n >= (ahead.get(w)?.count ?? 0)) left.push(p);
  }
  const workloads = new Set([...cameBack, ...covered.keys()]);
  for (const p of waitingPods(pods)) {
    const w = workloadOf(p);
    if (w !== undefined && workloads.has(w)) theirs.add(podId(p));
  }
  for (const [w, g] of ahead) if (workloads.has(w)) for (const p of expandGroups([g])) theirs.add(p.id);
  const coming = left.flatMap((p) => podsOf(Object.assign({}, p, { kind: 'Pod' }) as KubeObject, 'default'));
  return { coming, theirs };
}
