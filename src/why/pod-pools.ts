/**
 * For a waiting pod, every NodePool with the first reason it cannot take it, closest first: the pool
 * not Ready (its EC2NodeClass), EKS Auto Mode's or static pools, a bound volume in a zone the pool does not
 * allow, then the provisioner's own finding (the same text as its ProvisioningFailed Event: a
 * requirement and the pod's term that clash, a taint, a limit with its usage, the largest type). Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../catalog/instance-type.js';
import { podRequests } from '../kube/resources.js';
import type { PoolFinding } from '../provisioner/solver/explain.js';
import type { PoolView } from '../scheduling/nodepool.js';
import { fitPool } from '../scheduling/placement.js';
import { allows, describeRequirement } from '../scheduling/requirements.js';
import { splitFix, type PoolLine } from './answer.js';
import type { ClaimState } from '../provisioner/input/volume-topology.js';
import type { WhyWorld } from './world.js';
import { poolNotReady } from './readiness.js';

interface Ranked extends PoolLine {
  readonly distance: number;
}

const line = (nodePool: string, text: string, distance: number, fix?: string): Ranked => {
  const s = splitFix(text);
  const f = fix ?? s.fix;
  return { nodePool, reason: s.reason, distance, ...(f !== undefined ? { fix: f } : {}) };
};

/** A bound volume whose zones the pool's zone requirement rules out. */
function volumeClash(view: PoolView, claims: readonly ClaimState[]): Ranked | undefined {
  const zone = view.requirements.get(LABEL.zone);
  if (zone === undefined) return undefined;
  for (const c of claims) {
    if (c.zones === undefined || c.zones.some((z) => allows(zone, z))) continue;
    return line(
      view.name,
      `its volume claim ${c.claim} is bound to PersistentVolume ${c.volume ?? ''} in ${c.zones.join(', ')}, but NodePool ${view.name} allows ${describeRequirement(zone)}`,
      3.5,
      `let NodePool ${view.name} use ${c.zones.join(', ')}, or let the pod use a NodePool that does`,
    );
  }
  return undefined;
}

/** The admission-time placement's reason, for a pool the provisioner did not report on. */
function placementLine(pod: V1Pod, view: PoolView, w: WhyWorld): Ranked {
  const spec = pod.spec ?? { containers: [] };
  const fit = fitPool(spec, podRequests(spec), view, w.catalog);
  if (fit.distance === 0)
    return view.autoMode
      ? line(
          view.name,
          `EKS Auto Mode's NodePool ${view.name} could take it: EKS launches its nodes, not Berth`,
          0,
        )
      : line(view.name, `NodePool ${view.name} could take it`, 0);
  return line(view.name, fit.why?.() ?? `NodePool ${view.name} cannot take it`, fit.distance);
}

export function poolLines(
  pod: V1Pod,
  w: WhyWorld,
  claims: readonly ClaimState[],
  findings: readonly PoolFinding[],
): PoolLine[] {
  const byPool = new Map(findings.map((f) => [f.nodePool, f]));
  const out: Ranked[] = w.pools.map((view) => {
    const cls = poolNotReady(w, view);
    if (cls !== undefined)
      return line(
        view.name,
        cls,
        5,
        `kubectl describe nodepool ${view.name}, and its EC2NodeClass ${view.pool.spec.template.spec.nodeClassRef?.name ?? ''}`,
      );
    const volume = volumeClash(view, claims);
    if (volume) return volume;
    if (view.replicas !== undefined) {
      const fit = placementLine(pod, view, w);
      if (fit.distance > 0) return fit;
      return line(
        view.name,
        `NodePool ${view.name} is static (replicas: ${view.replicas}): it keeps its node count and launches nothing for a pending pod`,
        0.8,
        `kubectl scale nodepool ${view.name} --replicas=${view.replicas + 1}, or let the pod use a dynamic NodePool`,
      );
    }
    const f = byPool.get(view.name);
    return f ? line(view.name, f.reason, f.distance) : placementLine(pod, view, w);
  });
  return out
    .sort((a, b) => a.distance - b.distance || a.nodePool.localeCompare(b.nodePool))
    .map((l) => ({ nodePool: l.nodePool, reason: l.reason, ...(l.fix !== undefined ? { fix: l.fix } : {}) }));
}
