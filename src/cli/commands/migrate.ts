/** `berth migrate`: its flags; the migration is loaded when it runs. */
import type { Command } from 'commander';
import { regionOptions } from './region-options.js';
import type { CliIO } from '../../util/io.js';
import type { MigrateOpts } from '../migrate.js';

export function registerMigrate(program: Command, io: CliIO): void {
  regionOptions(program.command('migrate'))
    .description(
      'move capacity one workload class at a time, never a big bang: --to auto-mode makes every Karpenter NodePool and EC2NodeClass again as EKS Auto Mode objects (tainted, side by side with the old); --from nodegroups proposes a NodePool per runtime class for the nodes of managed node groups. ' +
        'The objects go to stdout as YAML, ready to apply; stderr says what does not carry over (with what to do instead), every workload whose pods run there and the opt-in it needs (toleration and node selector, as a kubectl patch), and the guardrail steps with the commands for this cluster. ' +
        'From -f files or the cluster (kubeconfig, read-only); exit 0 everything carries over, 1 something needs a decision, 2 bad input',
    )
    .option('--to <target>', 'auto-mode: Karpenter NodePools and EC2NodeClasses to EKS Auto Mode')
    .option(
      '--from <source>',
      'nodegroups: the nodes of EKS managed node groups (eks.amazonaws.com/nodegroup) to NodePools',
    )
    .option(
      '-f, --file <path...>',
      'offline: NodePools, EC2NodeClasses, workloads (and, from node groups, `kubectl get nodes,pods -A -o yaml`): files or folders',
    )
    .option('--kubeconfig <file>', 'the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--cluster-name <name>', "the EKS cluster's name, for the aws commands of the steps", '<cluster>')
    .option(
      '--taint <taint>',
      'the taint that keeps the new pools for workloads that opt in (key[=value]:effect)',
    )
    .option(
      '--nodegroups <file...>',
      "from node groups: `aws eks describe-nodegroup` output (JSON) for each group: the pools' limits take their max size",
    )
    .option('--nodeclass <name>', 'from node groups: the EC2NodeClass the proposed NodePools use', 'default')
    .option(
      '--catalog <file>',
      'instance types and prices in the ec2-instance-types.json format (default: built in)',
    )
    .option('--save-as <file>', 'the file name the steps apply the objects from', 'migrate.yaml')
    .option(
      '-o, --output <format>',
      'yaml | json (json: objects, findings, workloads and steps in one document)',
      'yaml',
    )
    .action(async (opts: MigrateOpts) => {
      await (await import('../migrate.js')).migrateAction(opts, io);
    });
}
