/**
 * The guardrail of a move off node groups, in order, with the commands for this cluster: the NodePools
 * applied tainted, workloads opted in one class at a time and checked, then each node group drained and
 * deleted once nothing needs it. Pure.
 */
import type { Move } from '../workloads.js';

export interface NodeGroupSteps {
  readonly file: string;
  readonly groups: readonly string[];
  readonly pools: readonly string[];
  readonly moves: readonly Move[];
  readonly cluster: string;
}

export function nodeGroupSteps(s: NodeGroupSteps): string[] {
  const opt = s.moves.filter((m) => m.command !== '').map((m) => `   ${m.command}`);
  return [
    `1. Apply the NodePools (tainted: nothing lands on them yet); Berth or Karpenter provisions them:\n   kubectl apply -f ${s.file}\n   kubectl get nodepools ${s.pools.join(' ')}`,
    `2. Opt the workloads in, one class at a time, and watch each land before the next:\n${opt.length > 0 ? opt.join('\n') : '   (no workload of the input runs on the node groups)'}`,
    `3. Check: every pod Running on the new nodes, PDBs healthy, the cost:\n   kubectl get pods -A -o wide --field-selector status.phase!=Running\n   berth why pod <namespace>/<name>   # for any pod that waits\n   berth cost --by nodepool`,
    `4. Retire each node group once no workload needs it (its nodes are drained within PDBs):\n` +
      s.groups
        .map(
          (g) =>
            `   aws eks update-nodegroup-config --cluster-name ${s.cluster} --nodegroup-name ${g} --scaling-config minSize=0,desiredSize=0\n   aws eks delete-nodegroup --cluster-name ${s.cluster} --nodegroup-name ${g}`,
        )
        .join('\n'),
    `5. Optionally, to make the NodePools the default: remove the migration taint from them, then the opt-in node selectors.`,
  ];
}
