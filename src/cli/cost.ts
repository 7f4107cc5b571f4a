/**
 * `berth cost`: what each namespace, runtime class, workload or NodePool pays for, by its share of the
 * nodes it runs on (src/cost). From the cluster (its Nodes and bound Pods, priced from the catalog),
 * or offline from `berth plan`'s input, so a team sees what a change costs before it applies it.
 */
import { LABEL } from '../catalog/instance-type.js';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Catalog } from '../catalog/catalog.js';
import { withOverlays, type NodeOverlay } from '../scheduling/node-overlay.js';
import {
  attributeCost,
  COST_GROUPS,
  groupCost,
  type CostAttribution,
  type CostGroup,
} from '../cost/attribute.js';
import { clusterCostInput, planCostInput } from '../cost/sources.js';
import { nodeCostsByPool } from '../provisioner/solver/pools.js';
import { openSession, type SessionOptions } from '../inputs/session.js';
import { regionNotice } from '../inputs/region.js';
import { loadKubeConfig } from '../kube/client.js';
import { expandGroups } from '../provisioner/solver/model.js';
import {
  nodeClassOf,
  poolCatalog,
  poolViewWithClass,
  type EC2NodeClass,
  type NodePool,
  type PoolView,
} from '../scheduling/nodepool.js';
import type { CliIO } from '../util/io.js';
import { planFiles, type PlanOpts } from './plan.js';
import { leftOutLines, type LeftOut } from './plan-output.js';

export interface CostOpts extends SessionOptions {
  file?: string[];
  nodes?: string[];
  namespace?: string;
  by: string;
  output: string;
  kubeconfig?: string;
  exclude?: string[];
  budgetMs: string;
}

function groupOf(by: string): CostGroup {
  if (!(COST_GROUPS as readonly string[]).includes(by))
    throw new Error(`--by must be one of ${COST_GROUPS.join(', ')} (got ${by})`);
  return by as CostGroup;
}

/** The attribution of a plan of the files (new nodes and --nodes alike), and what it left out. */
function offline(opts: CostOpts, io: CliIO): { a: CostAttribution; leftOut: LeftOut[]; denied: number } {
  const planOpts: PlanOpts = {
    ...opts,
    file: opts.file ?? [],
    output: 'json',
    namespace: 'default',
    budgetMs: opts.budgetMs,
  };
  const { plan, input, admitted, leftOut, denied } = planFiles(planOpts, io);
  const pods = [...input.pods, ...expandGroups(input.groups ?? [])];
  const existing = new Map(input.nodes.map((n) => [n.name, n]));
  const pools = new Map(input.pools.map((p) => [p.name, p]));
  const cost = planCostInput(
    plan,
    pods,
    admitted,
    (n) => {
      const e = existing.get(n.name);
      if (e) return { cpu: e.allocatable.cpu, mem: e.allocatable.mem };
      const pool = pools.get(n.nodePool);
      const t = (pool ? poolCatalog(pool, input.catalog) : input.catalog).byName(n.instanceType);
      return t ? { cpu: t.allocatable.cpuMillis, mem: t.allocatable.memoryMiB } : undefined;
    },
    nodeCostsByPool(input, [...pools.values()]),
  );
  return { a: attributeCost(cost.nodes, cost.pods), leftOut, denied: denied.length };
}

async function fromCluster(opts: CostOpts, io: CliIO): Promise<CostAttribution> {
  const kc = loadKubeConfig(opts.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const [nodes, pods] = await Promise.all([
    core.listNode().then((l) => l.items),
    core
      .listPodForAllNamespaces({ fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })
      .then((l) => l.items),
  ]).catch((e: unknown) => {
    const server = kc.getCurrentCluster()?.server ?? 'no cluster in the kubeconfig';
    throw new Error(
      `cannot read the cluster's Nodes and Pods (${server}): ${e instanceof Error ? e.message : String(e)}; offline, give the pods and workloads with -f`,
      { cause: e },
    );
  });
  const session = openSession(
    opts,
    nodes.flatMap((n) => n.metadata?.labels?.[LABEL.zone] ?? []),
  );
  io.err(regionNotice(session.catalog));
  const pools = await clusterPoolViews(kc, session.catalog);
  const input = clusterCostInput(
    nodes,
    pods,
    session.catalog,
    pools,
    nodeCostsByPool({ nodeCost: session.policies.nodeCost }, pools),
  );
  return attributeCost(input.nodes, input.pods);
}

/**
 * The cluster's NodePools with their EC2NodeClasses (the volumes a node costs) and its NodeOverlays
 * applied (nodes are priced as their pools see them); none when the CRDs are not served.
 */
async function clusterPoolViews(kc: KubeConfig, catalog: Catalog): Promise<PoolView[]> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const list = async <T>(group: string, version: string, plural: string): Promise<T[]> => {
    try {
      const l = (await custom.listClusterCustomObject({ group, version, plural })) as { items?: T[] };
      return l.items ?? [];
    } catch {
      return [];
    }
  };
  const [nodePools, overlays, classes] = await Promise.all([
    list<NodePool>('karpenter.sh', 'v1', 'nodepools'),
    list<NodeOverlay>('karpenter.sh', 'v1alpha1', 'nodeoverlays'),
    list<EC2NodeClass>('karpenter.k8s.aws', 'v1', 'ec2nodeclasses'),
  ]);
  const views = nodePools.map((p) => poolViewWithClass(p, nodeClassOf(p, classes)));
  return withOverlays(views, overlays, catalog).views;
}

/** Only the rows of one namespace (idle capacity is no namespace's and is left out). */
function inNamespace(a: CostAttribution, ns: string | undefined): CostAttribution {
  if (ns === undefined) return a;
  const rows = a.rows.filter((r) => r.namespace === ns);
  const total = rows.reduce((s, r) => s + r.usdPerHour, 0);
  const nodeCosts = rows.reduce((s, r) => s + r.nodeCostsPerHour, 0);
  return {
    rows,
    idle: [],
    totalPerHour: total,
    instancesPerHour: total - nodeCosts,
    nodeCostsPerHour: nodeCosts,
  };
}

const money = (x: number): string => x.toFixed(4);

export function renderCost(a: CostAttribution, by: CostGroup, leftOut: readonly LeftOut[] = []): string {
  const groups = groupCost(a, by);
  const head = by.toUpperCase();
  const width = Math.max(head.length, 5, ...groups.map((g) => g.key.length));
  const line = (k: string, usd: string, share: string) =>
    `${k.padEnd(width)}  ${usd.padStart(10)}  ${share.padStart(6)}\n`;
  const pct = (x: number) => (a.totalPerHour > 0 ? `${((100 * x) / a.totalPerHour).toFixed(1)}%` : '-');
  return (
    line(head, '$/HOUR', 'SHARE') +
    groups.map((g) => line(g.key, money(g.usdPerHour), pct(g.usdPerHour))).join('') +
    line('TOTAL', money(a.totalPerHour), a.totalPerHour > 0 ? '100.0%' : '-') +
    `of which instances ${money(a.instancesPerHour)}/h, node costs ${money(a.nodeCostsPerHour)}/h (EBS volumes; policies.yaml provisioner.nodeCost)\n` +
    leftOutLines(leftOut)
      .map((l) => `${l}\n`)
      .join('')
  );
}

export function costJson(a: CostAttribution, by: CostGroup, leftOut: readonly LeftOut[] = []): unknown {
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    by,
    groups: groupCost(a, by).map((g) => ({ key: g.key, usdPerHour: round(g.usdPerHour) })),
    rows: a.rows.map((r) => ({
      ...r,
      usdPerHour: round(r.usdPerHour),
      nodeCostsPerHour: round(r.nodeCostsPerHour),
    })),
    idle: a.idle.map((i) => ({ ...i, usdPerHour: round(i.usdPerHour) })),
    totalPerHour: round(a.totalPerHour),
    instancesPerHour: round(a.instancesPerHour),
    nodeCostsPerHour: round(a.nodeCostsPerHour),
    leftOut,
  };
}

export async function costAction(opts: CostOpts, io: CliIO): Promise<void> {
  const by = groupOf(opts.by);
  if (opts.output !== 'table' && opts.output !== 'json')
    throw new Error(`-o must be table or json (got ${opts.output})`);
  if (opts.nodes !== undefined && opts.file === undefined)
    throw new Error('--nodes needs -f: the pods and workloads to plan beside them');
  const run =
    opts.file !== undefined ? offline(opts, io) : { a: await fromCluster(opts, io), leftOut: [], denied: 0 };
  const a = inNamespace(run.a, opts.namespace);
  const leftOut = run.leftOut;
  io.out(
    opts.output === 'json'
      ? `${JSON.stringify(costJson(a, by, leftOut), null, 2)}\n`
      : renderCost(a, by, leftOut),
  );
  // As berth plan: a denied workload is not costed, and the run says so in its exit code.
  io.exit(run.denied > 0 ? 1 : 0);
}
