/** `berth policies`: its subcommands' flags; the schema is loaded when one runs. */
import type { Command } from 'commander';
import type { CliIO } from '../../util/io.js';
import type { ValidateOpts } from '../policies-validate.js';

export function registerPolicies(program: Command, io: CliIO): void {
  const policies = program.command('policies').description('work with policies.yaml');
  policies
    .command('validate')
    .argument('<file>', 'the policies.yaml to check')
    .option(
      '--nodepools <path...>',
      'NodePool files or folders: a runtime class naming a NodePool they do not hold is an error',
    )
    .description(
      "validate a policies.yaml as the live reload does: its schema and every rule's params (types, ranges,\n" +
        'unknown keys); expired exemptions are warnings; exit 2 with file:line:col errors when it is bad',
    )
    .action(async (file: string, opts: ValidateOpts) => {
      (await import('../policies-validate.js')).validateAction(file, opts, io);
    });
}
