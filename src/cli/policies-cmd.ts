/** `berth policies validate FILE`. */
import type { Command } from 'commander';
import { formatYamlError, loadPoliciesFile } from '../policies/policies.js';
import type { CliIO } from './io.js';

export function registerPolicies(program: Command, io: CliIO): void {
  const policies = program.command('policies').description('work with policies.yaml');
  policies
    .command('validate')
    .argument('<file>', 'the policies.yaml to check')
    .description(
      'validate a policies.yaml against its schema; exit 2 with file:line:col errors when it is bad',
    )
    .action((file: string) => {
      const loaded = loadPoliciesFile(file);
      if (loaded.ok) {
        const classes = [...loaded.policies.runtimeClasses.keys()].join(', ');
        io.out(`${file}: valid (${loaded.policies.runtimeClasses.size} runtime classes: ${classes})\n`);
        io.exit(0);
        return;
      }
      for (const e of loaded.errors) io.err(`${formatYamlError(e)}\n`);
      io.err(`${file}: ${loaded.errors.length} error(s); the policy was not applied\n`);
      io.exit(2);
    });
}
