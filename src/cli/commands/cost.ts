/** `berth cost`: its flags; the attribution is loaded when it runs. */
import type { Command } from 'commander';
import { regionOptions } from './region-options.js';
import type { CliIO } from '../../util/io.js';
import type { CostOpts } from '../cost.js';
import { DEFAULT_BUDGET_MS } from '../../provisioner/solver/budget.js';

export function registerCost(program: Command, io: CliIO): void {
  regionOptions(program.command('cost'))
    .description(
      "what each namespace, runtime class, workload or NodePool pays for: every node's $/h (its instance and its node costs: EBS volumes, policies.yaml provisioner.nodeCost.perNodePerHour; the total says how much is which) split among its pods by their share of its allocatable (the larger of CPU and memory), the unrequested rest shown as (idle); from the cluster (kubeconfig), or offline from berth plan's input with -f (the rows sum to the plan's $/h), naming what it left out (denied, scheduled); exit 0, 1 when a workload of -f is denied (not costed), 2 bad input",
    )
    .option(
      '-f, --file <path...>',
      "offline: pods, workloads, profiles, DaemonSets, as for berth plan (default: the cluster's Nodes and Pods)",
    )
    .option(
      '--nodes <path...>',
      'offline: existing Node objects and the Pods bound to them, as for berth plan',
    )
    .option(
      '--nodepools <path...>',
      "offline: the cluster's NodePools, EC2NodeClasses and NodeOverlays, files or folders (default: Berth's embedded sample pools, berth-*, not your cluster's: a notice says so)",
    )
    .option(
      '--catalog <file>',
      'instance types and prices in the ec2-instance-types.json format (default: built in)',
    )
    .option('--policies <file>', 'policies.yaml (default: the embedded one)')
    .option('--exclude <glob...>', 'offline: leave out files of a folder whose path or name matches')
    .option(
      '--budget-ms <ms>',
      'offline: time the solver may spend improving the plan',
      String(DEFAULT_BUDGET_MS),
    )
    .option('-n, --namespace <ns>', 'only the cost of this namespace (idle capacity is left out)')
    .option('--by <group>', 'namespace | class | workload | nodepool', 'namespace')
    .option('--kubeconfig <file>', 'the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('-o, --output <format>', 'table | json', 'table')
    .action(async (opts: CostOpts) => {
      await (await import('../cost.js')).costAction(opts, io);
    });
}
