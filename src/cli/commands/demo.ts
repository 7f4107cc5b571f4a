/** `berth demo`: its flags; the examples are run when it runs. */
import type { Command } from 'commander';
import type { DemoOpts } from '../demo.js';
import type { CliIO } from '../../util/io.js';

export function registerDemo(program: Command, io: CliIO): void {
  program
    .command('demo')
    .description('run examples/ through compile and check, and print what a user would see in kubectl')
    .option('--examples <dir>', 'folder of examples (default: the embedded examples/)')
    .option('--policies <file>', 'policies.yaml (default: the embedded one)')
    .option('--nodepools <path...>', 'NodePools (default: the embedded deploy/nodepools)')
    .action(async (opts: DemoOpts) => {
      (await import('../demo.js')).demoAction(opts, io);
    });
}
