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
import { workloadSelector } from '../../kube/workload.js';
import type { SolverPod } from '../solver/model.js';
import { podsOf } from '../input/pods.js';

export interface Admitted {
  readonly object: KubeObject;
  readonly at: number;
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.kind ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** Admitted workload shapes, the latest per workload, forgotten after `ttlMs` (their pods exist by then). */
export class AdmissionFeed {
  private readonly entries = new Map<string, Admitted>();

  constructor(private readonly ttlMs: number) {}

  record(object: KubeObject, at: number): void {
    this.entries.set(keyOf(object), { object, at });
  }

  current(now: number): Admitted[] {
    for (const [k, e] of this.entries) if (now - e.at > this.ttlMs) this.entries.delete(k);
    return [...this.entries.values()];
  }
}

function isDaemonPod(pod: V1Pod): boolean {
  return pod.metadata?.ownerReferences?.some((r) => r.kind === 'DaemonSet' && r.controller === true) === true;
}

/** A pod that still holds or will hold a node: not finished and not being deleted. */
function live(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return pod.metadata?.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Pods waiting for a node that a provisioner can help: unbound, live, not a DaemonSet's. */
export function waitingPods(pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter((p) => p.spec?.nodeName === undefined && live(p) && !isDaemonPod(p));
}

/** Objects listed from a collection carry no kind. */
function asPodObject(p: V1Pod): KubeObject {
  return Object.assign({}, p, { kind: 'Pod' }) as KubeObject;
}

function namespaceOf(obj: KubeObject): string {
  return obj.metadata?.namespace ?? 'default';
}

/** The replicas of a fed workload that its live pods do not cover yet. */
function missingReplicas(fed: KubeObject, pods: readonly V1Pod[]): SolverPod[] {
  const ns = namespaceOf(fed);
  const wanted = podsOf(fed, ns);
  if (fed.kind === 'Pod') {
    const name = fed.metadata?.name;
    return pods.some((p) => p.metadata?.namespace === ns && p.metadata.name === name) ? [] : wanted;
  }
  const selector = workloadSelector(fed);
  const have = pods.filter(
    (p) => p.metadata?.namespace === ns && live(p) && selectorMatches(selector, p.metadata.labels ?? {}),
  ).length;
  return wanted.slice(have);
}

/** The pods to plan: every waiting pod, then the fed replicas not yet covered by a live pod. */
export function demandOf(pods: readonly V1Pod[], fed: readonly Admitted[]): SolverPod[] {
  const out: SolverPod[] = [];
  for (const p of waitingPods(pods)) out.push(...podsOf(asPodObject(p), 'default'));
  for (const f of fed) out.push(...missingReplicas(f.object, pods));
  const seen = new Set<string>();
  return out.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
}
