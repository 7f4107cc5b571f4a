/**
 * A node's standing as a disruption candidate, one fact a line: its pool's consolidation settings,
 * its offering and price, whether it drifted (and why), when it expires, how its single replicas
 * move. Pure.
 */
import type { NodeInfo } from '../provisioner/disruption/candidates.js';
import { unhealthyOf } from '../provisioner/repair/health.js';
import { driftOf, policyOf } from '../provisioner/disruption/node-policy.js';
import { expiresAt } from '../provisioner/disruption/expiry.js';
import { deploymentNameOf, moveOf, type SurgeView } from '../provisioner/disruption/surge.js';
import { podId } from '../provisioner/disruption/pods.js';
import type { V1Pod } from '@kubernetes/client-node';
import type { WhyWorld } from './world.js';

function inWords(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h}h` : `${Math.round(h / 24)}d`;
}

export function candidacy(n: NodeInfo, now: Date): string[] {
  const d = n.pool.pool.spec.disruption;
  const offering = `${n.instanceType || 'unknown type'} (${n.capacityType || '?'}, ${n.zone || '?'}), $${n.price.toFixed(4)}/h, ${n.moving.length} pod(s) a drain would move`;
  const pool = `NodePool ${n.pool.name}: consolidationPolicy ${policyOf(n)}, consolidateAfter ${d?.consolidateAfter ?? '(default)'}${n.pool.replicas !== undefined ? `, static (replicas: ${n.pool.replicas})` : ''}`;
  const drift = driftOf(n);
  const at = expiresAt(n);
  const expiry =
    at === undefined
      ? 'expiry: never (expireAfter: Never)'
      : at <= now.getTime()
        ? `expiry: expired ${inWords(now.getTime() - at)} ago (${new Date(at).toISOString()}): expiration replaces it whatever blocks it`
        : `expiry: expires in ${inWords(at - now.getTime())} (${new Date(at).toISOString()})`;
  return [
    pool,
    offering,
    drift !== undefined ? `drift: ${drift}` : 'drift: not drifted',
    expiry,
    ...repairFact(n, now),
  ];
}

/** An unhealthy node: when node repair (provisioner.nodeRepair) replaces it, by Karpenter's table. */
function repairFact(n: NodeInfo, now: Date): string[] {
  const u = unhealthyOf(n.node);
  if (!u) return [];
  const since = `${u.condition} ${u.status} since ${new Date(u.since).toISOString()}`;
  return u.repairAt <= now.getTime()
    ? [
        `repair: ${since}, past its toleration: node repair replaces it (provisioner.nodeRepair: true; not while over 20% of its NodePool is unhealthy)`,
      ]
    : [
        `repair: ${since}: node repair replaces it in ${inWords(u.repairAt - now.getTime())} if it stays so (provisioner.nodeRepair: true)`,
      ];
}

/** The Deployments a world holds, and policies.yaml's surge-first classes, as a drain reads them. */
export function surgeViewOf(w: WhyWorld): SurgeView {
  return {
    deployment: (namespace, name) =>
      w.deployments.find(
        (d) => d.metadata?.name === name && (d.metadata.namespace ?? 'default') === namespace,
      ),
    surgeFirst: (cls) => w.surgeFirst?.(cls) === true,
  };
}

/**
 * How a drain moves each single replica on the node: surge-first (its new pod Ready elsewhere before
 * it stops), or by eviction, and why not surge-first. Pods of workloads with more replicas are left
 * out: they are evicted under their PDB, one at a time.
 */
export function singleReplicaMoves(pods: readonly V1Pod[], view: SurgeView): string[] {
  const out: string[] = [];
  for (const p of pods) {
    const m = moveOf(p, view);
    const name = deploymentNameOf(p);
    const d = name === undefined ? undefined : view.deployment(p.metadata?.namespace ?? 'default', name);
    const single =
      d?.spec?.replicas === 1 || p.metadata?.ownerReferences?.some((o) => o.kind === 'StatefulSet');
    if (m.kind === 'surge')
      out.push(
        `pod ${podId(p)}: moved surge-first (Deployment ${name ?? ''}: its new pod starts on other capacity and is Ready before this one stops; no eviction)`,
      );
    else if (single === true) out.push(`pod ${podId(p)}: a single replica, evicted: ${m.why}`);
  }
  return out;
}
