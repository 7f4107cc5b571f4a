/** `--region` and `--prices`: the options of every offline command that zones, prices or offers capacity. */
import type { Command } from 'commander';

export function regionOptions(cmd: Command): Command {
  return cmd
    .option(
      '--region <region>',
      "the cluster's AWS region: its zones, its prices and the types it offers (default: policies.yaml region, else the region of its zones, else us-east-1)",
    )
    .option(
      '--prices <file>',
      "the region's on-demand prices: the output of aws pricing get-products for it (see docs/operations/regions.md); without it, outside us-east-1 the prices and types are us-east-1's, and a notice says so",
    );
}
