/**
 * `berth plan`: the capacity the provisioner would buy for a set of pods and workloads, offline.
 * Workloads are compiled against their profiles first (as the mutating webhook would), expanded to
 * their replicas, and packed with existing nodes (--nodes) used before anything new is bought.
 */
import type { Command } from 'commander';
import { solverInputOf } from '../provisioner/input/plan-input.js';
import { DEFAULT_BUDGET_MS, solve } from '../provisioner/solver/solve.js';
import type { Plan } from '../provisioner/solver/model.js';
import { BadInput, clusterPools, runFiles, type SessionOptions } from './session.js';
import { loadObjects } from './inputs.js';
import type { CliIO } from './io.js';
import { renderPlanTable, toPlanJson } from './plan-output.js';

interface Opts extends SessionOptions {
  file: string[];
  nodes?: string[];
  output: string;
  namespace: string;
  budgetMs: string;
}

export function planFiles(
  opts: Opts,
  io: CliIO,
): { plan: Plan; denied: string[]; scheduled: string[]; spot: boolean } {
  const { result, session } = runFiles(opts, opts.file, () => io.clock(), opts.namespace);
  const cluster = opts.nodes ? loadObjects(opts.nodes) : { ok: true as const, objects: [] };
  if (!cluster.ok) throw new BadInput(cluster.errors);
  const admitted = result.admitted.filter((_, i) => result.verdicts[i]?.allowed !== false);
  const denied = result.verdicts.filter((v) => !v.allowed).map((v) => `${v.kind} ${v.namespace}/${v.name}`);
  const scheduled = admitted
    .filter((o) => o.kind === 'CronJob')
    .map((o) => `CronJob ${o.metadata?.namespace ?? opts.namespace}/${o.metadata?.name ?? ''}`);
  const budget = Number.parseInt(opts.budgetMs, 10);
  if (!Number.isInteger(budget) || budget < 0)
    throw new Error(`--budget-ms must be a whole number (got ${opts.budgetMs})`);
  const input = solverInputOf({
    objects: admitted,
    cluster: cluster.objects.map((o) => o.object),
    nodePools: clusterPools(session, result.admitted),
    catalog: session.catalog,
    defaultNamespace: opts.namespace,
  });
  const plan = solve({ ...input, budgetMillis: budget });
  return { plan, denied, scheduled, spot: plan.nodes.some((n) => n.capacityType === 'spot') };
}

export function registerPlan(program: Command, io: CliIO): void {
  program
    .command('plan')
    .description(
      'plan the EC2 capacity for pods and workloads (compiled, expanded to replicas) on the NodePools (those of --nodepools, and the NodePools among the files); pods only an EKS Auto Mode pool takes are listed as served by EKS Auto Mode; exit 0 all placed, 1 some unschedulable, 2 bad input',
    )
    .requiredOption('-f, --file <path...>', 'pods, workloads, profiles, DaemonSets (files or folders)')
    .option(
      '--nodepools <path...>',
      'NodePool / EC2NodeClass files or folders (default: the embedded deploy/nodepools)',
    )
    .option(
      '--nodes <path...>',
      'existing Node objects and the Pods bound to them (spec.nodeName), used first',
    )
    .option('--catalog <file>', 'instance types in the ec2-instance-types.json format (default: built in)')
    .option('--policies <file>', 'policies.yaml (default: the embedded one)')
    .option('-n, --namespace <ns>', 'namespace for objects that name none', 'default')
    .option('--budget-ms <ms>', 'time the solver may spend improving the plan', String(DEFAULT_BUDGET_MS))
    .option('-o, --output <format>', 'table | json', 'table')
    .action((opts: Opts) => {
      if (opts.output !== 'table' && opts.output !== 'json')
        throw new Error(`-o must be table or json (got ${opts.output})`);
      const { plan, denied, scheduled, spot } = planFiles(opts, io);
      for (const d of denied)
        io.err(`berth plan: ${d} is denied by the webhook's rules and is not planned (see berth check)\n`);
      for (const c of scheduled)
        io.err(`berth plan: ${c} runs on a schedule: its pods are planned when its Jobs start, not now\n`);
      io.out(
        opts.output === 'json'
          ? `${JSON.stringify(toPlanJson(plan), null, 2)}\n`
          : renderPlanTable(plan, spot),
      );
      io.exit(plan.unschedulable.length === 0 ? 0 : 1);
    });
}
