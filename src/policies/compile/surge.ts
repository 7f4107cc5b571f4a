/** scaling.maxBurstPods → a Deployment's rolling-update maxSurge, when the default would exceed it. */
import { scaleIntOrPercent, type IntOrString } from '../../kube/intstr.js';
import type { KubeObject } from '../../kube/objects.js';

interface Strategy {
  type?: string;
  rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString };
}

export const DEFAULT_MAX_SURGE = '25%';

/** Pods a rollout may add at `replicas` (maxSurge rounds up). */
export function surgePods(maxSurge: IntOrString | undefined, replicas: number): number {
  return scaleIntOrPercent(maxSurge ?? DEFAULT_MAX_SURGE, replicas, true)?.value ?? 0;
}

/** The Deployment's spec, where the compiler writes a strategy only when it has one to write. */
function deploymentSpec(obj: KubeObject): { strategy?: Strategy } | undefined {
  if (obj.kind !== 'Deployment') return undefined;
  return obj.spec as { strategy?: Strategy } | undefined;
}

/** The maxSurge as written, without touching the object (for rules). */
export function declaredMaxSurge(obj: KubeObject): IntOrString | undefined {
  if (obj.kind !== 'Deployment') return undefined;
  return (obj.spec as { strategy?: Strategy } | undefined)?.strategy?.rollingUpdate?.maxSurge;
}

/**
 * Caps the default surge at maxBurst for the largest scale the workload may reach. An explicit maxSurge
 * is left as written (the burst-above-profile rule reports it if it is too high).
 */
export function compileSurge(
  obj: KubeObject,
  maxBurst: number | undefined,
  maxScale: number,
  notes: string[],
): void {
  if (maxBurst === undefined) return;
  const spec = deploymentSpec(obj);
  if (!spec) return;
  const strategy = spec.strategy ?? {};
  if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
  if (strategy.rollingUpdate?.maxSurge !== undefined) return;
  if (surgePods(undefined, maxScale) <= maxBurst) return;
  spec.strategy = { ...strategy, rollingUpdate: { ...(strategy.rollingUpdate ?? {}), maxSurge: maxBurst } };
  notes.push(`maxSurge ${maxBurst} (the default 25% of ${maxScale} would exceed maxBurstPods)`);
}
