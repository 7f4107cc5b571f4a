/** `berth policies`: its subcommands' flags; the schema is loaded when one runs. */
import type { Command } from 'commander';
import type { CliIO } from '../../util/io.js';
import type { ValidateOpts } from '../policies-validate.js';
import type { VapOpts } from '../policies-vap.js';

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
  policies
    .command('vap')
    .option('--policies <file>', 'policies.yaml (default: the embedded one)')
    .option('--namespace <ns>', "where the params ConfigMaps live (Berth's namespace)", 'berth-system')
    .option('-o, --output <format>', 'yaml | json', 'yaml')
    .option('-q, --quiet', 'say nothing on stderr')
    .description(
      'print the rules that need only the object, its namespace and params as ValidatingAdmissionPolicies,\n' +
        'bindings (validationActions: Deny for enforce, Warn for warn, Audit for audit) and params\n' +
        'ConfigMaps, so the API server enforces them with every Berth replica down, in the same words; rules\n' +
        'with overrides or that read other objects stay on the webhook (listed on stderr). Apply with\n' +
        '`berth policies vap | kubectl apply -f -`, or set nativePolicies.rules: true in policies.yaml and\n' +
        '`berth serve` keeps them applied; exit 0, 2 bad input',
    )
    .action(async (opts: VapOpts) => {
      (await import('../policies-vap.js')).vapAction(opts, io);
    });
}
