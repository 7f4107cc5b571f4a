/** When a node expires: its NodePool's expireAfter from its creation, or its capacity block's end. Pure. */
import { RESERVATION_LABEL } from '../../scheduling/reservations.js';
import { parseGoDuration } from '../../util/go-duration.js';
import type { NodeInfo } from './candidates.js';

/** Karpenter's default `expireAfter`. */
const DEFAULT_EXPIRE_MS = 720 * 3_600_000;

/**
 * When a node launched into a capacity block must go: once its reservation is expiring (its last 40
 * minutes), as Karpenter's capacity reservation expiration controller deletes its claims.
 */
function blockEndsAt(n: NodeInfo): number | undefined {
  const id = n.node.metadata?.labels?.[RESERVATION_LABEL.id];
  const r = id === undefined ? undefined : n.pool.reservations?.find((x) => x.id === id);
  if (r?.state !== 'expiring') return undefined;
  return r.endTime === undefined ? 0 : Date.parse(r.endTime) - 40 * 60_000;
}

/**
 * When a node expires (ms), from its creation and its pool's `expireAfter` (undefined for Never), or
 * its capacity block's end.
 */
export function expiresAt(n: NodeInfo): number | undefined {
  const block = blockEndsAt(n);
  if (block !== undefined) return block;
  const created = n.node.metadata?.creationTimestamp;
  if (created === undefined) return undefined;
  const after = parseGoDuration(n.pool.pool.spec.template.spec.expireAfter) ?? DEFAULT_EXPIRE_MS;
  return Number.isFinite(after) ? new Date(created).getTime() + after : undefined;
}
