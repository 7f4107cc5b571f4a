/**
 * How many candidates one decision may take together: each NodePool's disruption budget for the
 * reason, and each PDB's allowed evictions across the nodes. Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { allowance, readBudgets, type DisruptionReason } from './budgets.js';
import type { Classified, NodeInfo } from './candidates.js';
import { isReady, type Pdbs, type PdbState } from './pods.js';

/**
 * The candidates, in order, that one decision may take together: each pool within its budget for
 * `reason`, and no PDB asked for more evictions across the nodes than it allows now. A node alone is
 * always eligible (each of its pods' PDBs allows one now): its drain evicts them one 429 at a time.
 */
export function withinLimits(
  ordered: readonly NodeInfo[],
  c: Classified,
  pdbs: Pdbs,
  reason: DisruptionReason,
  now: Date,
): NodeInfo[] {
  const left = new Map<string, number>();
  const evictions = new Map<PdbState, number>();
  const out: NodeInfo[] = [];
  for (const n of ordered) {
    const pool = n.pool.name;
    if (!left.has(pool))
      left.set(
        pool,
        allowance(readBudgets(n.pool.pool), reason, c.counts.get(pool) ?? { total: 0, disrupting: 0 }, now)
          .allowed,
      );
    if ((left.get(pool) ?? 0) < 1) continue;
    const asks = pdbAsks(n.surging ? n.moving.filter((p) => !n.surging?.has(p)) : n.moving, pdbs);
    if (out.length > 0 && [...asks].some(([pdb, k]) => (evictions.get(pdb) ?? 0) + k > pdb.allowed)) continue;
    for (const [pdb, k] of asks) evictions.set(pdb, (evictions.get(pdb) ?? 0) + k);
    left.set(pool, (left.get(pool) ?? 0) - 1);
    out.push(n);
  }
  return out;
}

/** Evictions a set of pods asks of each PDB (unready pods under AlwaysAllow ask nothing). */
function pdbAsks(pods: readonly V1Pod[], pdbs: Pdbs): Map<PdbState, number> {
  const out = new Map<PdbState, number>();
  for (const pod of pods)
    for (const pdb of pdbs.over(pod))
      if (!(pdb.alwaysAllow && !isReady(pod))) out.set(pdb, (out.get(pdb) ?? 0) + 1);
  return out;
}
