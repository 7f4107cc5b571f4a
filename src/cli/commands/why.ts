/** `berth why`: its flags; the answer is loaded when it runs. */
import type { Command } from 'commander';
import { regionOptions } from './region-options.js';
import type { CliIO } from '../../util/io.js';
import type { WhyOpts } from '../why.js';

export function registerWhy(program: Command, io: CliIO): void {
  regionOptions(program.command('why'))
    .description(
      'why a pod waits, why a node stays, where a NodeClaim stands, what a NodePool can do now: ' +
        "for a pending pod whether kube-scheduler or provisioning holds it and every NodePool's first reason; " +
        "for a node whether consolidation, drift or expiry takes it and what keeps it — the reasons Berth's Events carry. " +
        'From the cluster (kubeconfig, read-only), or offline from a dump with -f; exit 0 answered, 2 bad input or no such object',
    )
    .argument('<kind>', 'pod | node | nodeclaim | nodepool')
    .argument('<name>', 'the object; a pod as NAMESPACE/NAME (or NAME with -n)')
    .option(
      '-f, --file <path...>',
      'offline: what `kubectl get nodes,pods,pdb,pv,pvc,deployments,nodepools,nodeclaims,ec2nodeclasses,events -A -o yaml` wrote (Lists, files or folders)',
    )
    .option('-n, --namespace <ns>', "the pod's namespace when NAME has none", 'default')
    .option('--kubeconfig <file>', 'the cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option(
      '--catalog <file>',
      'instance types and prices in the ec2-instance-types.json format (default: built in)',
    )
    .option(
      '--policies <file>',
      'policies.yaml: zones, consolidateAfter default, spot-to-spot (default: the embedded one)',
    )
    .option(
      '--at <time>',
      'judge as of this time, e.g. 2026-11-27T12:00:00Z (default: now; offline, the newest time in the dump, when it was taken)',
    )
    .option('-o, --output <format>', 'table | json', 'table')
    .action(async (kind: string, name: string, opts: WhyOpts) => {
      await (await import('../why.js')).whyAction(kind, name, opts, io);
    });
}
