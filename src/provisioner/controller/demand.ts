/**
 * What the provisioner plans for, from two sources (DESIGN.md §7): pods waiting for a node (unbound,
 * not finished, not being deleted: those the scheduler marked Unschedulable, and those it has not tried
 * yet, which the solver places on existing capacity first so nothing is bought for them twice), and the admission
 * feed — workloads the webhook just admitted, whose pods may not exist yet. A fed workload asks for
 * the replicas its live pods do not cover yet, so a pod is never counted twice.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { selectorMatches } from '../../kube/selector.js';
import { isDaemonSetPod, workloadSelector } from '../../kube/workload.js';
import type { ReplicaGroup, SolverPod } from '../solver/model.js';
import { jsonEqual } from '../../util/json-equal.js';
import { podsOf, replicaGroup, replicasOf } from '../input/pods.js';

export interface Admitted {
  readonly object: KubeObject;
  readonly at: number;
}

/** A workload's key in the feed: namespace, kind, name. */
export function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.kind ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** Whether two admissions of one workload ask the planner for the same thing. */
function sameShape(a: KubeObject, b: KubeObject): boolean {
  return (
    jsonEqual(a.spec, b.spec) &&
    jsonEqual(a.metadata?.labels, b.metadata?.labels) &&
    jsonEqual(a.metadata?.annotations, b.metadata?.annotations)
  );
}

/** Admitted workload shapes, the latest per workload, forgotten after `ttlMs` (their pods exist by then). */
export class AdmissionFeed {
  private readonly entries = new Map<string, Admitted>();

  constructor(private readonly ttlMs: number) {}

  /**
   * Records the latest admitted shape of a workload; true when that is news to the planner (a new
   * workload, or one whose spec, labels or annotations changed), false when only its time moved (the
   * same object admitted again: no round needs to plan it afresh).
   */
  record(object: KubeObject, at: number): boolean {
    const key = keyOf(object);
    const before = this.entries.get(key)?.object;
    this.entries.set(key, { object, at });
    return before === undefined || !sameShape(before, object);
  }

  /** Whether a pod is one of a fed workload's replicas (its appearing is not new demand). */
  covers(pod: V1Pod): boolean {
    for (const { object } of this.entries.values()) if (replicaTest(object)(pod)) return true;
    return false;
  }

  /** A workload deleted: nothing is planned for it any more. */
  forget(object: KubeObject): void {
    this.entries.delete(keyOf(object));
  }

  current(now: number): Admitted[] {
    for (const [k, e] of this.entries) if (now - e.at > this.ttlMs) this.entries.delete(k);
    return [...this.entries.values()];
  }
}

/** A pod that still holds or will hold a node: not finished and not being deleted. */
function live(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return pod.metadata?.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Pods waiting for a node that a provisioner can help: unbound, live, not a DaemonSet's. */
export function waitingPods(pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter((p) => p.spec?.nodeName === undefined && live(p) && !isDaemonSetPod(p));
}

/** Objects listed from a collection carry no kind. */
function asPodObject(p: V1Pod): KubeObject {
  return Object.assign({}, p, { kind: 'Pod' }) as KubeObject;
}

function namespaceOf(obj: KubeObject): string {
  return obj.metadata?.namespace ?? 'default';
}

/**
 * The most replicas of a fed workload worth planning, and why (its profile, HPA, the NodePools'
 * limits); and the fewest it runs with (an HPA's minReplicas, whatever spec.replicas says).
 */
export type ReplicaCap = (workload: KubeObject) => { max: number; why: string; min?: number } | undefined;

export interface DemandBounds {
  /** The most pods one round plans; the rest wait for the next round. */
  readonly maxPods: number;
  readonly replicaCap?: ReplicaCap;
  /**
   * The cluster's default topology spread on a pod or workload that declares none (`--scheduler-config`,
   * scheduling/default-spread.ts); absent: none.
   */
  readonly spread?: (obj: KubeObject) => KubeObject;
}

/** A fed workload planned for fewer replicas than it asks for. */
export interface Capped {
  readonly workload: KubeObject;
  readonly asked: number;
  readonly planned: number;
  readonly why: string;
}

export interface Demand {
  readonly pods: SolverPod[];
  readonly groups: ReplicaGroup[];
  readonly capped: Capped[];
  /** Pods left for later rounds by `maxPods`, and the workloads they belong to. */
  readonly deferred: number;
  readonly deferredFrom: KubeObject[];
  /** Each workload's replicas planned ahead of their pods (one of `groups`), by `namespace/Kind/name`. */
  readonly ahead: ReadonlyMap<string, ReplicaGroup>;
}

/** Whether a pod is one of a fed object's: the bare pod itself, or one a workload's selector takes. */
function replicaTest(fed: KubeObject): (pod: V1Pod) => boolean {
  const ns = namespaceOf(fed);
  if (fed.kind === 'Pod') {
    const name = fed.metadata?.name;
    return (p) => p.metadata?.namespace === ns && p.metadata.name === name;
  }
  const selector = workloadSelector(fed);
  return (p) => p.metadata?.namespace === ns && selectorMatches(selector, p.metadata.labels ?? {});
}

/** The replicas of a fed workload that its live pods do not cover yet, within its cap. */
function missingReplicas(
  fed: KubeObject,
  pods: readonly V1Pod[],
  cap: ReplicaCap | undefined,
  capped: Capped[],
): { pods: SolverPod[]; group?: ReplicaGroup } {
  const ns = namespaceOf(fed);
  const mine = replicaTest(fed);
  if (fed.kind === 'Pod') return { pods: pods.some(mine) ? [] : podsOf(fed, ns) };
  const bound = cap?.(fed);
  const asked = Math.max(replicasOf(fed), bound?.min ?? 0);
  const wanted = bound && bound.max < asked ? bound.max : asked;
  if (bound && wanted < asked) capped.push({ workload: fed, asked, planned: wanted, why: bound.why });
  const have = pods.filter((p) => live(p) && mine(p)).length;
  const group = replicaGroup(fed, ns, have, wanted - have);
  return group ? { pods: [], group } : { pods: [] };
}

/**
 * The pods to plan: every waiting pod, then the fed replicas not yet covered by a live pod (as groups),
 * at most `maxPods` of them in all; a fed workload's replicas within its cap.
 */
export function demandOf(
  pods: readonly V1Pod[],
  fed: readonly Admitted[],
  bounds: DemandBounds = { maxPods: Number.POSITIVE_INFINITY },
): Demand {
  const out: SolverPod[] = [];
  const groups: ReplicaGroup[] = [];
  const capped: Capped[] = [];
  const deferredFrom: KubeObject[] = [];
  const ahead = new Map<string, ReplicaGroup>();
  let deferred = 0;
  const seen = new Set<string>();
  let room = bounds.maxPods;
  const take = (p: SolverPod): void => {
    if (seen.has(p.id)) return;
    seen.add(p.id);
    if (room > 0) {
      out.push(p);
      room--;
    } else deferred++;
  };
  const spread = bounds.spread ?? ((o: KubeObject) => o);
  for (const p of waitingPods(pods)) for (const sp of podsOf(spread(asPodObject(p)), 'default')) take(sp);
  for (const f of fed) {
    const missing = missingReplicas(spread(f.object), pods, bounds.replicaCap, capped);
    for (const p of missing.pods) take(p);
    const g = missing.group;
    if (!g) continue;
    const n = Math.min(g.count, room);
    if (n > 0) {
      const planned = n === g.count ? g : { ...g, count: n };
      groups.push(planned);
      ahead.set(keyOf(f.object), planned);
    }
    room -= n;
    if (n < g.count) {
      deferred += g.count - n;
      deferredFrom.push(f.object);
    }
  }
  return { pods: out, groups, capped, deferred, deferredFrom, ahead };
}
