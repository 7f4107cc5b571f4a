/** `berth policies`: its subcommands' flags; the schema is loaded when one runs. */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';

export function registerPolicies(program: Command, io: CliIO): void {
  const policies = program.command('policies').description('work with policies.yaml');
  policies
    .command('validate')
    .argument('<file>', 'the policies.yaml to check')
    .description(
      'validate a policies.yaml against its schema; exit 2 with file:line:col errors when it is bad',
    )
    .action(async (file: string) => {
      (await import('../policies-validate.js')).validateAction(file, io);
    });
}
