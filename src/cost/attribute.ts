/**
 * Cost per workload class: every node's $/h attributed to the pods on it by their share of its
 * allocatable — the larger of the pod's CPU and memory share — and the unrequested remainder reported
 * as idle, per NodePool. When the shares of a node add up to more than the whole (one pod takes its
 * CPU, another its memory), they are scaled down to the whole: the rows of a node always sum to its
 * price, so the rows of a cluster sum to its $/h. A node's price is its instance's and what it costs
 * beside it (its volumes, the per-node cost), reported apart in the totals. Pure: the CLI (offline from a plan, or from the
 * cluster) and the operator's gauges call it alike.
 */

export interface CostNode {
  readonly name: string;
  readonly nodePool: string;
  /** The instance's price. */
  readonly pricePerHour: number;
  /** What the node costs beside its instance: its EBS volumes and the per-node cost (default 0). */
  readonly nodeCostPerHour?: number;
  /** CPU millis and memory MiB the node offers to pods. */
  readonly cpu: number;
  readonly mem: number;
}

export interface CostPod {
  readonly node: string;
  readonly namespace: string;
  /** `Kind/name` of the workload that owns the pod (the Pod itself when none does). */
  readonly workload: string;
  /** The WorkloadProfile's runtime class (label berth.dev/runtime-class), '' when it has none. */
  readonly runtimeClass: string;
  readonly cpu: number;
  readonly mem: number;
}

export interface CostRow {
  readonly namespace: string;
  readonly runtimeClass: string;
  readonly workload: string;
  readonly nodePool: string;
  /** Its share of instances and node costs together. */
  readonly usdPerHour: number;
  /** Of usdPerHour: its share of the node costs (volumes, the per-node cost). */
  readonly nodeCostsPerHour: number;
}

export interface CostAttribution {
  /** One row per (namespace, runtime class, workload, NodePool). */
  readonly rows: readonly CostRow[];
  /** Unrequested capacity per NodePool. */
  readonly idle: readonly { nodePool: string; usdPerHour: number }[];
  /** Everything the nodes cost: instances and node costs. */
  readonly totalPerHour: number;
  /** Of the total: the instances, and the node costs beside them (volumes, the per-node cost). */
  readonly instancesPerHour: number;
  readonly nodeCostsPerHour: number;
}

/** A pod's share of a node: the larger of its CPU and memory shares, within [0, 1]. */
export function shareOf(pod: Pick<CostPod, 'cpu' | 'mem'>, node: Pick<CostNode, 'cpu' | 'mem'>): number {
  const cpu = node.cpu > 0 ? pod.cpu / node.cpu : 0;
  const mem = node.mem > 0 ? pod.mem / node.mem : 0;
  return Math.min(1, Math.max(0, cpu, mem));
}

export function attributeCost(nodes: readonly CostNode[], pods: readonly CostPod[]): CostAttribution {
  const byNode = new Map<string, CostPod[]>();
  for (const p of pods) {
    const list = byNode.get(p.node);
    if (list) list.push(p);
    else byNode.set(p.node, [p]);
  }
  const rows = new Map<
    string,
    { row: Omit<CostRow, 'usdPerHour' | 'nodeCostsPerHour'>; usd: number; extra: number }
  >();
  const idle = new Map<string, number>();
  let instances = 0;
  let nodeCosts = 0;
  for (const node of nodes) {
    instances += node.pricePerHour;
    nodeCosts += node.nodeCostPerHour ?? 0;
    const extra = node.nodeCostPerHour ?? 0;
    const whole = node.pricePerHour + extra;
    const on = byNode.get(node.name) ?? [];
    const shares = on.map((p) => shareOf(p, node));
    const sum = shares.reduce((a, b) => a + b, 0);
    const scale = sum > 1 ? 1 / sum : 1;
    on.forEach((p, i) => {
      const share = (shares[i] ?? 0) * scale;
      const key = [p.namespace, p.runtimeClass, p.workload, node.nodePool].join('\u0000');
      const r = rows.get(key);
      if (r) {
        r.usd += whole * share;
        r.extra += extra * share;
      } else
        rows.set(key, {
          row: {
            namespace: p.namespace,
            runtimeClass: p.runtimeClass,
            workload: p.workload,
            nodePool: node.nodePool,
          },
          usd: whole * share,
          extra: extra * share,
        });
    });
    const rest = whole * Math.max(0, 1 - sum * scale);
    idle.set(node.nodePool, (idle.get(node.nodePool) ?? 0) + rest);
  }
  return {
    rows: [...rows.values()].map(({ row, usd, extra }) => ({
      ...row,
      usdPerHour: usd,
      nodeCostsPerHour: extra,
    })),
    idle: [...idle.entries()].map(([nodePool, usdPerHour]) => ({ nodePool, usdPerHour })),
    totalPerHour: instances + nodeCosts,
    instancesPerHour: instances,
    nodeCostsPerHour: nodeCosts,
  };
}

export const COST_GROUPS = ['namespace', 'class', 'workload', 'nodepool'] as const;
export type CostGroup = (typeof COST_GROUPS)[number];

export const IDLE = '(idle)';

/** The attribution summed by one dimension; idle capacity is its own `(idle)` row (per NodePool when grouped so). */
export function groupCost(a: CostAttribution, by: CostGroup): { key: string; usdPerHour: number }[] {
  const keyOf = (r: CostRow): string =>
    by === 'namespace'
      ? r.namespace
      : by === 'class'
        ? r.runtimeClass || '(none)'
        : by === 'workload'
          ? `${r.namespace}/${r.workload}`
          : r.nodePool;
  const sums = new Map<string, number>();
  for (const r of a.rows) sums.set(keyOf(r), (sums.get(keyOf(r)) ?? 0) + r.usdPerHour);
  for (const i of a.idle) {
    const key = by === 'nodepool' ? `${i.nodePool} ${IDLE}` : IDLE;
    sums.set(key, (sums.get(key) ?? 0) + i.usdPerHour);
  }
  return [...sums.entries()]
    .map(([key, usdPerHour]) => ({ key, usdPerHour }))
    .sort((x, y) => y.usdPerHour - x.usdPerHour || x.key.localeCompare(y.key));
}
