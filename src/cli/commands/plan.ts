/** `berth plan`: its flags; the solver is loaded when it runs. */
import type { Command } from 'commander';
import { regionOptions } from './region-options.js';
import type { CliIO } from '../../util/io.js';
import type { PlanOpts } from '../plan.js';
import { DEFAULT_BUDGET_MS } from '../../provisioner/solver/budget.js';

export function registerPlan(program: Command, io: CliIO): void {
  regionOptions(program.command('plan'))
    .description(
      "plan the EC2 capacity for pods and workloads (compiled, expanded to replicas) on the NodePools (those of --nodepools, and the NodePools among the files) at the least whole cost: each node's instance, its EBS volumes (its EC2NodeClass) and policies.yaml provisioner.nodeCost.perNodePerHour, shown apart; pods only an EKS Auto Mode pool takes are listed as served by EKS Auto Mode; exit 0 all placed, 1 some unschedulable or denied by the rules, 2 bad input",
    )
    .requiredOption('-f, --file <path...>', 'pods, workloads, profiles, DaemonSets (files or folders)')
    .option(
      '--nodepools <path...>',
      "the cluster's NodePools, EC2NodeClasses and NodeOverlays, files or folders (default: Berth's embedded sample pools, berth-*, not your cluster's: a notice says so)",
    )
    .option(
      '--nodes <path...>',
      'existing Node objects and the Pods bound to them (spec.nodeName), used first',
    )
    .option(
      '--consolidate',
      "with --nodes: also show what disruption would give back — every decision in order (emptiness, drift, multi-node, single-node consolidation, each within the NodePools' budgets), the pods it moves, $/h before and after, and what keeps each remaining node; every Node labelled karpenter.sh/nodepool with a known NodePool counts as Berth's",
    )
    .option(
      '--scheduler-config <file>',
      "the cluster's default topology spread constraints, applied to pods that declare none as kube-scheduler applies them: Karpenter v1.15's --scheduler-config document (podTopologySpread.defaultConstraints) or a KubeSchedulerConfiguration (PodTopologySpread args, defaultingType List)",
    )
    .option('--catalog <file>', 'instance types in the ec2-instance-types.json format (default: built in)')
    .option('--policies <file>', 'policies.yaml (default: the embedded one)')
    .option('-n, --namespace <ns>', 'namespace for objects that name none', 'default')
    .option('--exclude <glob...>', 'leave out files of a folder whose path or name matches (*, **, ?)')
    .option('--allow-empty', 'zero objects in the input is not an error (by default it is: exit 2)')
    .option('--budget-ms <ms>', 'time the solver may spend improving the plan', String(DEFAULT_BUDGET_MS))
    .option(
      '--emit <what>',
      'nodeclaims: print the karpenter.sh/v1 NodeClaims the provisioner would create for the new nodes (YAML, or a List with -o json), as kubectl get nodeclaims will show them',
    )
    .option('-o, --output <format>', 'table | json | yaml', 'table')
    .action(async (opts: PlanOpts) => {
      (await import('../plan.js')).planAction(opts, io);
    });
}
