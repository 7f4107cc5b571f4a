/**
 * A node's standing as a disruption candidate, one fact a line: its pool's consolidation settings,
 * its offering and price, whether it drifted (and why), when it expires. Pure.
 */
import type { NodeInfo } from '../provisioner/disruption/candidates.js';
import { driftOf, expiresAt, policyOf } from '../provisioner/disruption/methods.js';
import { unhealthyOf } from '../provisioner/repair/health.js';

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
