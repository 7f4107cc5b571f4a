/**
 * What Karpenter v1.15's disruption metrics read beside a node's labels (its NodePool's consolidation
 * policy and its claim's terminationGracePeriod, the pods a disruption reschedules), from the pools and
 * pods a controller already holds.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../../catalog/instance-type.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { DisruptedContext, Labelled } from './decision-metrics.js';
import { moves } from './pods.js';

export function disruptedContext(pools: readonly PoolView[], pods: readonly V1Pod[]): DisruptedContext {
  const byName = new Map(pools.map((p) => [p.name, p.pool]));
  const poolOf = (n: Labelled) => byName.get(n.metadata?.labels?.[LABEL.nodePool] ?? '');
  let perNode: Map<string, number> | undefined;
  return {
    policy: (n: Labelled) =>
      poolOf(n)?.spec.disruption?.consolidationPolicy ?? (poolOf(n) ? 'WhenEmptyOrUnderutilized' : undefined),
    terminationGracePeriod: (n: Labelled) => poolOf(n)?.spec.template.spec.terminationGracePeriod,
    reschedulablePods: (n: Labelled) => {
      if (!perNode) {
        perNode = new Map();
        for (const p of pods) {
          const node = p.spec?.nodeName;
          if (node !== undefined && moves(p)) perNode.set(node, (perNode.get(node) ?? 0) + 1);
        }
      }
      return perNode.get(n.metadata?.name ?? '') ?? 0;
    },
  };
}
