/**
 * Surge-first moves for single replicas. A Deployment of one replica under a PDB cannot be evicted at
 * all (disruptionsAllowed 0: its node is kept for good), and without one each eviction is an outage
 * until the new pod is Ready. Karpenter only evicts (kubernetes-sigs/karpenter#2600, #2897). Berth
 * moves such a pod as `kubectl rollout restart` would: it changes the pod template (the annotation
 * `berth.dev/moved-off: <node>`), and the Deployment controller starts a new pod — on other capacity,
 * the node being tainted `karpenter.sh/disrupted:NoSchedule` — and stops the old one only once the new
 * one is Ready (maxSurge ≥ 1, maxUnavailable 0). No eviction, no PDB to wait on, no moment without a
 * Ready replica. Turned on per runtime class (policies.yaml `runtimeClasses.<class>.surgeFirst`).
 * A rollout that stalls (ProgressDeadlineExceeded) falls back to eviction. StatefulSets (one pod per
 * identity) and Deployments that cannot surge are evicted as before. Pure.
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { scaleIntOrPercent } from '../../kube/intstr.js';
import { CLASS_LABEL } from '../../kube/berth-labels.js';

/** The pod-template annotation a surge-first move sets: the node its pod moves off. */
export const MOVED_OFF = 'berth.dev/moved-off';

export type Move =
  | { readonly kind: 'surge'; readonly deployment: V1Deployment }
  | { readonly kind: 'evict'; readonly why: string };

export interface SurgeView {
  /** A Deployment from the leader's cache. */
  readonly deployment: (namespace: string, name: string) => V1Deployment | undefined;
  /** Whether policies.yaml turns surge-first on for this runtime class. */
  readonly surgeFirst: (runtimeClass: string | undefined) => boolean;
}

/** The Deployment whose ReplicaSet made the pod (`<deployment>-<pod-template-hash>`), by name. */
export function deploymentNameOf(pod: V1Pod): string | undefined {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller === true);
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (owner?.kind !== 'ReplicaSet' || hash === undefined || !owner.name.endsWith(`-${hash}`))
    return undefined;
  return owner.name.slice(0, -hash.length - 1);
}

/**
 * A rolling update's maxSurge and maxUnavailable in pods, as the Deployment controller resolves them
 * (deployment/util ResolveFenceposts: surge rounds up, unavailable down; both 0 makes unavailable 1).
 */
export function fenceposts(d: V1Deployment): { surge: number; unavailable: number } | undefined {
  const strategy = d.spec?.strategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return undefined;
  const replicas = d.spec?.replicas ?? 1;
  const pods = (v: number | string | undefined, up: boolean) =>
    scaleIntOrPercent(v ?? '25%', replicas, up)?.value ?? 0;
  const surge = pods(strategy?.rollingUpdate?.maxSurge, true);
  const unavailable = pods(strategy?.rollingUpdate?.maxUnavailable, false);
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

/** Why a Deployment's single pod cannot be moved surge-first, if it cannot. */
function cannotSurge(d: V1Deployment, name: string): string | undefined {
  const replicas = d.spec?.replicas ?? 1;
  if (replicas !== 1)
    return `Deployment ${name} runs ${replicas} replicas: its pods are evicted, under their PDB`;
  if (d.spec?.paused === true)
    return `Deployment ${name} is paused: a rollout would not start; its pod is evicted`;
  const f = fenceposts(d);
  if (!f) return `Deployment ${name}'s strategy is Recreate: it cannot surge; its pod is evicted`;
  if (f.surge < 1) return `Deployment ${name}'s maxSurge is 0: it cannot surge; its pod is evicted`;
  if (f.unavailable > 0)
    return `Deployment ${name}'s maxUnavailable is ${f.unavailable}: a rollout would stop its pod first; it is evicted`;
  return undefined;
}

/** How a drain moves the pod: surge-first, or by eviction (and why not surge-first). */
export function moveOf(pod: V1Pod, v: SurgeView): Move {
  const ns = pod.metadata?.namespace ?? 'default';
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller === true);
  if (owner?.kind === 'StatefulSet')
    return {
      kind: 'evict',
      why: `StatefulSet ${owner.name}: one pod per identity cannot surge; it is evicted`,
    };
  const name = deploymentNameOf(pod);
  const d = name === undefined ? undefined : v.deployment(ns, name);
  if (name === undefined || d === undefined)
    return { kind: 'evict', why: 'not a Deployment’s pod: it is evicted' };
  const not = cannotSurge(d, name);
  if (not !== undefined) return { kind: 'evict', why: not };
  const cls = pod.metadata?.labels?.[CLASS_LABEL];
  if (!v.surgeFirst(cls))
    return {
      kind: 'evict',
      why: `${cls === undefined ? 'it has no runtime class' : `runtime class ${cls}`}: surge-first is off (policies.yaml runtimeClasses.<class>.surgeFirst); its pod is evicted`,
    };
  return { kind: 'surge', deployment: d };
}

/** A move surge-first may start, is under way, or stalled (its rollout is past its progress deadline). */
export type SurgeProgress = 'start' | 'under-way' | 'stalled';

export function surgeProgress(d: V1Deployment, node: string): SurgeProgress {
  if (d.spec?.template.metadata?.annotations?.[MOVED_OFF] !== node) return 'start';
  // The controller has not seen the change yet: its conditions are the last rollout's.
  if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return 'under-way';
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  return progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded'
    ? 'stalled'
    : 'under-way';
}

/** The merge patch that starts the move (as `kubectl rollout restart` patches restartedAt). */
export const surgePatch = (node: string) => ({
  spec: { template: { metadata: { annotations: { [MOVED_OFF]: node } } } },
});
