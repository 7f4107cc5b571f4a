/** `berth init`: its flags; the work is loaded when it runs. */
import type { Command } from 'commander';
import { regionOptions } from './region-options.js';
import type { CliIO } from '../../util/io.js';
import type { InitOpts } from '../init.js';

export function registerInit(program: Command, io: CliIO): void {
  regionOptions(program.command('init'))
    .description(
      "write a policies.yaml for this cluster: one runtime class per NodePool (or per berth.dev/runtime-class value the pools carry), selected by the label its nodes carry, spot and consolidation as the pools allow; provisioner.mode karpenter when a Karpenter controller runs (berth otherwise). Reads the cluster's NodePools (kubeconfig; RBAC: list nodepools, leases, deployments) or --nodepools files. Prints the file (or --write it) and says on stderr what it chose; exit 0, 2 bad input",
    )
    .option(
      '--nodepools <path...>',
      "NodePool files or folders (default: the cluster's, from the kubeconfig)",
    )
    .option('--kubeconfig <file>', 'the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option(
      '--mode <mode>',
      'berth | karpenter | off (default: karpenter when a Karpenter runs, or from files)',
    )
    .option('--base <file>', "the policies.yaml whose rules and settings are kept (default: Berth's own)")
    .option(
      '--class-label <key>',
      'the template label whose values name runtime classes',
      'berth.dev/runtime-class',
    )
    .option('--write <file>', 'write the file here instead of printing it')
    .option('--force', 'with --write: replace an existing file')
    .action(async (opts: InitOpts) => {
      await (await import('../init.js')).initAction(opts, io);
    });
}
