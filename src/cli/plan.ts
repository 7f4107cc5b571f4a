/**
 * `berth plan`: the capacity the provisioner would buy for a set of pods and workloads, offline.
 * Workloads are compiled against their profiles first (as the mutating webhook would), expanded to
 * their replicas, and packed with existing nodes (--nodes) used before anything new is bought.
 */
import { solverInputOf } from '../provisioner/input/plan-input.js';
import { schedulerConfigFile } from '../inputs/scheduler-config-file.js';
import { solve } from '../provisioner/solver/solve.js';
import type { Plan } from '../provisioner/solver/model.js';
import { regionNotice } from '../inputs/region.js';
import { BadInput } from '../inputs/bad-input.js';
import {
  clusterPools,
  clusterClasses,
  clusterOverlays,
  noticeLines,
  runFiles,
  type FileOptions,
  type SessionOptions,
  embeddedPoolsNotice,
} from '../inputs/session.js';
import { loadObjects } from '../inputs/objects.js';
import type { CliIO } from '../util/io.js';
import type { KubeObject } from '../kube/objects.js';
import { renderPlanTable, toPlanJson, type LeftOut } from './plan-output.js';
import { consolidationJson, renderConsolidation } from './consolidation-output.js';
import { planConsolidation, type ConsolidationPlan } from '../provisioner/disruption/consolidation.js';
import { clusterObjects } from '../provisioner/disruption/objects.js';
import type { SolverInput } from '../provisioner/solver/model.js';
import { plannedClaims, renderClaims } from './plan-claims.js';
import { stringify } from 'yaml';

export interface PlanOpts extends SessionOptions, FileOptions {
  file: string[];
  nodes?: string[];
  output: string;
  namespace: string;
  budgetMs: string;
  /** Also plan what disruption would give back (consolidation) on the --nodes cluster. */
  consolidate?: boolean;
  /** `nodeclaims`: print the NodeClaims the provisioner would create instead of the plan. */
  emit?: string;
  /** The cluster's default topology spread (Karpenter's --scheduler-config, or a KubeSchedulerConfiguration). */
  schedulerConfig?: string;
}

export function planFiles(
  opts: PlanOpts,
  io: CliIO,
): {
  plan: Plan;
  denied: string[];
  /** Every object left out of the plan, with why: said on stdout, in the table and the JSON. */
  leftOut: LeftOut[];
  spot: boolean;
  quoted: boolean;
  consolidation?: ConsolidationPlan;
  input: SolverInput;
  /** The objects as admitted (workloads compiled), denied ones left out. */
  admitted: KubeObject[];
} {
  const { result, session, notices } = runFiles(opts, opts.file, () => io.clock(), opts.namespace);
  io.err(noticeLines(notices) + embeddedPoolsNotice(session) + regionNotice(session.catalog));
  const cluster = opts.nodes ? loadObjects(opts.nodes) : { ok: true as const, objects: [] };
  if (!cluster.ok) throw new BadInput(cluster.errors);
  const admitted = result.admitted.filter((_, i) => result.verdicts[i]?.allowed !== false);
  const deniedVerdicts = result.verdicts.filter((v) => !v.allowed);
  const denied = deniedVerdicts.map((v) => `${v.kind} ${v.namespace}/${v.name}`);
  const leftOut: LeftOut[] = deniedVerdicts.map((v) => ({
    object: `${v.kind} ${v.namespace}/${v.name}`,
    reason: `denied by the webhook (${[...new Set(v.violations.filter((x) => x.mode === 'enforce').map((x) => x.rule))].join(', ')}): not planned; berth check says why`,
  }));
  for (const o of admitted)
    if (o.kind === 'CronJob')
      leftOut.push({
        object: `CronJob ${o.metadata?.namespace ?? opts.namespace}/${o.metadata?.name ?? ''}`,
        reason: 'runs on a schedule: its pods are planned when its Jobs start, not now',
      });
  const budget = Number.parseInt(opts.budgetMs, 10);
  if (!Number.isInteger(budget) || budget < 0)
    throw new Error(`--budget-ms must be a whole number (got ${opts.budgetMs})`);
  const objectsInput = solverInputOf({
    objects: admitted,
    cluster: cluster.objects.map((o) => o.object),
    nodePools: clusterPools(session, result.admitted),
    nodeClasses: clusterClasses(session, result.admitted),
    nodeOverlays: clusterOverlays(session, result.admitted),
    catalog: session.catalog,
    defaultNamespace: opts.namespace,
    defaultSpread: schedulerConfigFile(opts.schedulerConfig),
  });
  const input = { ...objectsInput, nodeCost: session.policies.nodeCost };
  const plan = solve({ ...input, budgetMillis: budget });
  const quoted = session.catalog.origin?.spotQuotes !== undefined;
  const consolidation =
    opts.consolidate === true
      ? planConsolidation({
          ...clusterObjects([...admitted, ...cluster.objects.map((o) => o.object)]),
          pools: input.pools,
          daemonSets: input.daemonSets,
          catalog: session.catalog,
          now: io.clock(),
          spotToSpot: session.policies.spotToSpot,
          minSavings: (pool) => session.policies.minSavings(pool),
        })
      : undefined;
  return {
    plan,
    denied,
    leftOut,
    spot: plan.nodes.some((n) => n.capacityType === 'spot') && !quoted,
    quoted,
    input,
    admitted,
    ...(consolidation ? { consolidation } : {}),
  };
}

/** The output format: -o's, YAML for --emit nodeclaims unless -o json; bad flags are errors. */
function outputOf(opts: PlanOpts): 'table' | 'json' | 'yaml' {
  if (opts.emit !== undefined && opts.emit !== 'nodeclaims')
    throw new Error(`--emit takes nodeclaims (got ${opts.emit})`);
  const output = opts.emit !== undefined && opts.output === 'table' ? 'yaml' : opts.output;
  if (output !== 'table' && output !== 'json' && output !== 'yaml')
    throw new Error(`-o must be table, json or yaml (got ${opts.output})`);
  return output;
}

/** `berth plan`: the plan as a table, JSON or YAML, or its NodeClaims; exit 0 all placed, 1 some unschedulable. */
export function planAction(opts: PlanOpts, io: CliIO): void {
  const output = outputOf(opts);
  if (opts.consolidate === true && opts.nodes === undefined)
    throw new Error('--consolidate needs --nodes: the Nodes and the Pods bound to them');
  const { plan, denied, leftOut, spot, quoted, consolidation, input } = planFiles(opts, io);
  for (const l of leftOut) io.err(`berth plan: ${l.object}: ${l.reason}\n`);
  const doc = {
    ...toPlanJson(plan, quoted, leftOut),
    ...(consolidation ? { consolidation: consolidationJson(consolidation) } : {}),
  };
  if (opts.emit === 'nodeclaims') io.out(renderClaims(plannedClaims(plan, input), output));
  else if (output === 'table')
    io.out(
      renderPlanTable(plan, spot, leftOut) + (consolidation ? `\n${renderConsolidation(consolidation)}` : ''),
    );
  else io.out(output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc));
  // A denied workload is not placed either: 0 means every pod of the input is placed.
  io.exit(plan.unschedulable.length === 0 && denied.length === 0 ? 0 : 1);
}
