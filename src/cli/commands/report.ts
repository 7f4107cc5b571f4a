/** `berth report`: its flags; the cluster client is loaded when it runs. */
import type { Command } from 'commander';
import type { CliIO } from '../../util/io.js';
import type { ReportOpts } from '../report.js';

export function registerReport(program: Command, io: CliIO): void {
  program
    .command('report')
    .description(
      "what Berth's PolicyReports say, per rule: its mode, the objects failing it and their namespaces — " +
        'what switching it to enforce would deny the next time they are applied. Reads the reports the ' +
        "leader's background scan writes (kubeconfig), or files from berth check -o policyreport",
    )
    .option('-f, --file <path...>', 'PolicyReport files (berth check -o policyreport) instead of the cluster')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('-n, --namespace <ns>', 'only the report of this namespace')
    .option('-o, --output <format>', 'table | json', 'table')
    .action(async (opts: ReportOpts) => {
      await (await import('../report.js')).reportAction(opts, io);
    });
}
