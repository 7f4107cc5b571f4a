/**
 * How claims in flight end, as the provisioner's rounds read them: the Nodes they registered as
 * (Ready, or not yet), and the NodeClaims that went.
 *
 * Claims in flight whose NodeClaim is gone or being deleted: garbage-collected (their instance went
 * with a leader that died before it registered), deleted by hand, or replaced. They will never join;
 * kept, they would stand for room that never comes, and the pods planned on them would wait until the
 * launch timeout (15 minutes). A claim this process launched is given CLAIM_SEEN_MS to reach the
 * store's watch first; one read back by a new leader, that long from when it was read.
 */
import type { NodeClaim } from '../nodeclaim/object.js';
import { instanceIdOf } from '../cloud/provider.js';
import type { ExistingNode } from '../solver/model.js';

/**
 * How long a claim in flight may be missing from the claim store's watch before it counts as gone:
 * a claim is created before its launch, but the watch may show it later on a busy API server.
 */
export const CLAIM_SEEN_MS = 30_000;

export function vanished(
  inFlight: ReadonlyMap<string, { readonly since: number; readonly recoveredAt?: number }>,
  claims: readonly NodeClaim[],
  now: number,
): string[] {
  const live = new Set(
    claims.filter((c) => c.metadata.deletionTimestamp === undefined).map((c) => c.metadata.name),
  );
  return [...inFlight]
    .filter(([claim, f]) => !live.has(claim) && now - Math.max(f.since, f.recoveredAt ?? 0) > CLAIM_SEEN_MS)
    .map(([claim]) => claim);
}

/**
 * Instance ids and claims of registered Nodes: those Ready (joined), and those registered but not
 * Ready, with their Node's name (not joined yet; the join timeout still runs).
 */
export function registeredKeys(registered: readonly ExistingNode[]): {
  ids: Set<string>;
  starting: Map<string, string>;
} {
  const ids = new Set<string>();
  const starting = new Map<string, string>();
  for (const n of registered)
    for (const key of [instanceIdOf(n.providerId), n.name]) {
      if (key === undefined) continue;
      if (n.notReady) starting.set(key, n.name);
      else ids.add(key);
    }
  return { ids, starting };
}
