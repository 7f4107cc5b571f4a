/**
 * One round of one node's drain: evict the next tier (a 429 counts as blocked and is retried next
 * round), or, once the NodePool's terminationGracePeriod has run out since the decision, delete what
 * still holds the node, PDBs and do-not-disrupt notwithstanding (Karpenter's deadline).
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Metrics } from '../../observability/metrics.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { LABEL } from '../../catalog/instance-type.js';
import { holdsNode, nextDrainStep } from './drain.js';
import { parseGoDuration } from '../../util/go-duration.js';
import type { NodeOps } from './node-ops.js';
import { isReady } from './pods.js';

/** The node's NodePool sets terminationGracePeriod and it has run out since the decision (`since`, ms). */
export function pastGrace(
  node: V1Node,
  pools: readonly PoolView[],
  since: number | undefined,
  now: Date,
): boolean {
  const pool = pools.find((p) => p.name === node.metadata?.labels?.[LABEL.nodePool]);
  const grace = parseGoDuration(pool?.pool.spec.template.spec.terminationGracePeriod);
  return (
    grace !== undefined && Number.isFinite(grace) && since !== undefined && now.getTime() >= since + grace
  );
}

export async function drainStep(
  ops: NodeOps,
  metrics: Metrics,
  pods: readonly V1Pod[],
  o: {
    node: string;
    now: Date;
    forced: boolean;
    pdbOf?: (pod: V1Pod) => string | undefined;
    /** Repair: a pod a PDB refuses that is not Ready is deleted (it counts nothing toward the budget). */
    unready?: 'delete';
  },
): Promise<{ done: boolean; evicted: number; blocked: number }> {
  if (o.forced) {
    const holding = pods.filter((p) => holdsNode(p, o.now));
    for (const pod of holding.filter((p) => p.metadata?.deletionTimestamp === undefined)) {
      await ops.deletePod(pod);
      metrics.disruptionEvictions.inc({ result: 'deleted' });
    }
    // The next rounds see them go.
    if (holding.length > 0) return { done: false, evicted: 0, blocked: 0 };
  }
  let step = nextDrainStep(pods, o.now);
  // The cache may miss a pod bound a moment ago (kube-scheduler not yet seeing the taint): the
  // API server's list has the last word before the node goes.
  if (step.done) step = nextDrainStep(await ops.podsOn(o.node), o.now);
  if (step.done) return { done: true, evicted: 0, blocked: 0 };
  let evicted = 0;
  let blocked = 0;
  for (const pod of step.evict) {
    const r = await ops.evict(pod);
    metrics.disruptionEvictions.inc({ result: r });
    if (r === 'blocked' && o.unready === 'delete' && !isReady(pod)) {
      await ops.deletePod(pod);
      metrics.disruptionEvictions.inc({ result: 'deleted' });
      evicted += 1;
    } else if (r === 'blocked') {
      blocked += 1;
      const [ns = '', name = ''] = (o.pdbOf?.(pod) ?? '/').split('/', 2);
      metrics.drainsBlocked.inc({ pdb_namespace: ns, pdb_name: name });
    } else evicted += 1;
  }
  return { done: false, evicted, blocked };
}
