/**
 * What the proposed NodePools would cost for the pods the node groups run now, planned by Berth's
 * solver (each workload's pods opted in, as they would arrive), beside what the groups cost. Pure.
 */
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { Catalog } from '../../catalog/catalog.js';
import { daemonSetOf, solverPod } from '../../provisioner/input/pods.js';
import { solve } from '../../provisioner/solver/solve.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import type { KubeObject } from '../../kube/objects.js';
import { note, type Finding } from '../findings.js';
import { workloadId, type Move } from '../workloads.js';
import type { NodeGroup } from './inventory.js';

export interface CostInput {
  readonly objects: readonly KubeObject[];
  readonly catalog: Catalog;
  readonly moves: readonly Move[];
  /** Each pod's workload, as the moves found it. */
  readonly ownerOf: ReadonlyMap<V1Pod, KubeObject>;
}

/** Each running pod as it would arrive: its workload's opted-in spec, or its own; unbound. */
function arriving(groups: readonly NodeGroup[], input: CostInput) {
  const byId = new Map(input.moves.map((m) => [m.object, m]));
  return groups.flatMap((g) =>
    g.pods.map((p: V1Pod) => {
      const ns = p.metadata?.namespace ?? 'default';
      const w = input.ownerOf.get(p);
      const spec: V1PodSpec = {
        ...((w ? byId.get(workloadId(w))?.optIn.spec : undefined) ?? p.spec ?? { containers: [] }),
      };
      Reflect.deleteProperty(spec, 'nodeName');
      return solverPod(`${ns}/${p.metadata?.name ?? ''}`, ns, { metadata: p.metadata ?? {}, spec });
    }),
  );
}

export function planCost(
  pools: readonly NodePool[],
  groups: readonly NodeGroup[],
  input: CostInput,
): Finding | undefined {
  if (pools.length === 0) return undefined;
  const pods = arriving(groups, input);
  const daemonSets = input.objects.flatMap((o) => {
    const d = daemonSetOf(o);
    return d ? [d] : [];
  });
  const plan = solve({
    pods,
    nodes: [],
    pools: pools.map(poolView),
    daemonSets,
    catalog: input.catalog,
    budgetMillis: 200,
    skipBound: true,
  });
  const now = groups.reduce((s, g) => s + g.pricePerHour, 0);
  const left = plan.unschedulable.length;
  const ratio = now > 0 ? ` (${(plan.totals.pricePerHour / now).toFixed(2)}×)` : '';
  return note(
    'cost',
    undefined,
    `the proposed NodePools would run the ${pods.length - left} pods the groups run now for $${plan.totals.pricePerHour.toFixed(3)}/h on ${plan.totals.nodes} nodes${ratio}, against $${now.toFixed(3)}/h on ${groups.reduce((s, g) => s + g.nodes.length, 0)} nodes today${left > 0 ? `; ${left} pods fit none` : ''}`,
    'berth plan and berth cost show the detail once the pools are applied',
  );
}
