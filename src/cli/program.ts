/** The `berth` command line: one engine, called the same way the webhook calls it. */
import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.js';
import { registerDemo } from './commands/demo.js';
import { registerPolicies } from './commands/policies.js';
import { registerServe } from './commands/serve.js';
import { registerCerts } from './commands/certs.js';
import { registerPlan } from './commands/plan.js';
import { registerReport } from './commands/report.js';
import { registerNodeClass } from './commands/nodeclass.js';
import { registerCost } from './commands/cost.js';
import { registerInit } from './commands/init.js';
import { registerWhy } from './commands/why.js';
import { registerMigrate } from './commands/migrate.js';
import { BadInput } from '../inputs/bad-input.js';
import type { CliIO } from '../util/io.js';

export function buildProgram(io: CliIO): Command {
  const program = new Command('berth')
    .description(
      'Berth: admission webhook, policy engine and node provisioner for Kubernetes on AWS.\nExit codes: 0 allowed, 1 denied, 2 bad input.',
    )
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        io.out(s);
      },
      writeErr: (s) => {
        io.err(s);
      },
    });
  registerInit(program, io);
  registerCheck(program, io);
  registerPolicies(program, io);
  registerServe(program, io);
  registerCerts(program, io);
  registerPlan(program, io);
  registerCost(program, io);
  registerReport(program, io);
  registerWhy(program, io);
  registerMigrate(program, io);
  registerNodeClass(program, io);
  registerDemo(program, io);
  return program;
}

/** The -o / --output value of a command line, however it is spelled. */
function outputFormat(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '-o' || a === '--output') return argv[i + 1];
    if (a.startsWith('--output=')) return a.slice('--output='.length);
    if (a.startsWith('-o') && a.length > 2) return a.slice(2).replace(/^=/, '');
  }
  return undefined;
}

/** Runs the CLI; bad input (unparseable files, bad flags) exits 2 with the reason. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<void> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      io.exit(e.exitCode === 0 ? 0 : 2);
      return;
    }
    if (
      e instanceof BadInput ||
      (e instanceof Error && (e.name === 'CatalogError' || e.name === 'WhyNotFound'))
    ) {
      io.err(`${e.message}\n`);
      // With -o json the errors are a document too, so a pipeline reading stdout sees why.
      if (outputFormat(argv) === 'json') {
        const errors = e instanceof BadInput ? e.errors : [{ message: e.message }];
        io.out(`${JSON.stringify({ errors }, null, 2)}\n`);
      }
      io.exit(2);
      return;
    }
    io.err(`berth: ${(e as Error).message}\n`);
    io.exit(2);
  }
}
