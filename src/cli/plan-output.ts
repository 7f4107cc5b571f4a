/** `berth plan` output: the JSON document other tools check, and the table people read. */
import type { Plan } from '../provisioner/solver/model.js';
import { wholePerHour } from '../provisioner/solver/totals.js';

/** An object of the input that a plan does not hold, and why (denied, or run on a schedule). */
export interface LeftOut {
  object: string;
  reason: string;
}

export interface PlanJson {
  nodes: {
    name: string;
    nodePool: string;
    instanceType: string;
    zone: string;
    capacityType: string;
    /** The instance's offering price. */
    pricePerHour: number;
    /** New nodes: what the node costs beside its instance (EBS volumes, policies.yaml's per-node cost). */
    nodeCostPerHour: number;
    /** true: a modelled spot price (0.3–0.7 × on-demand by type and zone), not a quote. */
    priceModelled: boolean;
    existing: boolean;
    pods: string[];
  }[];
  unschedulable: { pod: string; reason: string }[];
  /** Pods an EKS Auto Mode pool takes: EKS launches for them, Berth does not. */
  servedByAutoMode: { pod: string; nodePool: string }[];
  /** Objects of the input the plan does not hold (denied by the rules, or run on a schedule), and why. */
  leftOut: LeftOut[];
  totals: {
    nodes: number;
    pods: number;
    /** The new nodes' instances. */
    pricePerHour: number;
    /** The new nodes' costs beside their instances: EBS volumes and the per-node cost. */
    nodeCostsPerHour: number;
    /** Instances and node costs together: what the solver minimises. */
    wholePerHour: number;
    /** The LP bound over the types the planned pods may use (their requirements, capacity types, limits). */
    lowerBound: number;
    solveMillis: number;
  };
}

/** `quoted`: the catalog holds spot quotes (DescribeSpotPriceHistory), so spot prices are not modelled. */
export function toPlanJson(plan: Plan, quoted = false, leftOut: readonly LeftOut[] = []): PlanJson {
  return {
    nodes: plan.nodes.map((n) => ({
      name: n.name,
      nodePool: n.nodePool,
      instanceType: n.instanceType,
      zone: n.zone,
      capacityType: n.capacityType,
      pricePerHour: n.pricePerHour,
      nodeCostPerHour: n.existing ? 0 : (n.nodeCostPerHour ?? 0),
      priceModelled: n.capacityType === 'spot' && !quoted,
      existing: n.existing,
      pods: n.pods,
    })),
    unschedulable: plan.unschedulable.map((u) => ({ pod: u.pod, reason: u.reason })),
    servedByAutoMode: plan.servedByAutoMode.map((a) => ({ pod: a.pod, nodePool: a.nodePool })),
    leftOut: leftOut.map((l) => ({ ...l })),
    totals: {
      nodes: plan.totals.nodes,
      pods: plan.totals.pods,
      pricePerHour: plan.totals.pricePerHour,
      nodeCostsPerHour: plan.totals.nodeCostsPerHour,
      wholePerHour: wholePerHour(plan.totals),
      lowerBound: plan.lowerBound,
      solveMillis: plan.totals.solveMillis,
    },
  };
}

export function table(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function money(v: number): string {
  return `$${v.toFixed(4)}`;
}

/** The LEFT OUT section of a table: what the input held that the figures above do not. */
export function leftOutLines(leftOut: readonly LeftOut[]): string[] {
  if (leftOut.length === 0) return [];
  return [
    '',
    `LEFT OUT (${leftOut.length})`,
    ...table([['OBJECT', 'REASON'], ...leftOut.map((l) => [l.object, l.reason])]),
  ];
}

/** A CapacityBuffer chunk's pod id: `namespace/capacity-buffer-<buffer>-<i>` (capacity-buffer.ts). */
const CHUNK = /^([^/]+)\/capacity-buffer-(.+)-\d+$/;

/** The buffers' chunks and the nodes that keep their room. */
function bufferLines(plan: Plan): string[] {
  const byBuffer = new Map<string, Set<string>>();
  const chunks = new Map<string, number>();
  for (const n of plan.nodes)
    for (const pod of n.pods) {
      const m = CHUNK.exec(pod);
      if (!m) continue;
      const key = `${m[1] ?? ''}/${m[2] ?? ''}`;
      chunks.set(key, (chunks.get(key) ?? 0) + 1);
      byBuffer.set(key, (byBuffer.get(key) ?? new Set()).add(n.name));
    }
  if (byBuffer.size === 0) return [];
  return [
    '',
    `CAPACITY BUFFERS (${byBuffer.size}: room kept free for pods to come, bought like theirs)`,
    ...table([
      ['BUFFER', 'CHUNKS', 'ON'],
      ...[...byBuffer].map(([b, nodes]) => [b, String(chunks.get(b) ?? 0), [...nodes].join(', ')]),
    ]),
  ];
}

/** One node's row of the table: an existing node has no price of its own here. */
function nodeRow(n: Plan['nodes'][number]): string[] {
  return [
    n.existing ? `${n.name} (existing)` : n.name,
    n.nodePool || '-',
    n.instanceType || '-',
    n.zone || '-',
    n.capacityType === 'spot' ? 'spot*' : n.capacityType,
    String(n.pods.length),
    n.existing ? '-' : money(n.pricePerHour),
    n.existing ? '-' : money(n.nodeCostPerHour ?? 0),
  ];
}

export function renderPlanTable(plan: Plan, spot: boolean, leftOut: readonly LeftOut[] = []): string {
  const rows = [['NODE', 'NODEPOOL', 'INSTANCE TYPE', 'ZONE', 'CAPACITY', 'PODS', 'USD/HOUR', '+NODE COST']];
  for (const n of plan.nodes) rows.push(nodeRow(n));
  const out =
    plan.nodes.length > 0
      ? table(rows)
      : leftOut.length > 0
        ? [`No capacity planned: ${leftOut.length} object(s) of the input were left out (below).`]
        : ['No capacity needed.'];
  out.push(...leftOutLines(leftOut));
  if (plan.unschedulable.length > 0) {
    out.push('', `UNSCHEDULABLE (${plan.unschedulable.length})`);
    out.push(...table([['POD', 'REASON'], ...plan.unschedulable.map((u) => [u.pod, u.reason])]));
  }
  out.push(...bufferLines(plan));
  if (plan.servedByAutoMode.length > 0) {
    out.push(
      '',
      `SERVED BY EKS AUTO MODE (${plan.servedByAutoMode.length}: EKS launches for them, Berth does not)`,
    );
    out.push(...table([['POD', 'NODEPOOL'], ...plan.servedByAutoMode.map((a) => [a.pod, a.nodePool])]));
  }
  const t = plan.totals;
  const whole = wholePerHour(t);
  const ratio =
    plan.lowerBound > 0
      ? `, ${(whole / plan.lowerBound).toFixed(3)}× the lower bound ${money(plan.lowerBound)}/h`
      : '';
  out.push(
    '',
    `${t.nodes} new node(s) for ${t.pods} pod(s): ${money(t.pricePerHour)}/h instances + ${money(t.nodeCostsPerHour)}/h node costs (volumes, per-node) = ${money(whole)}/h${ratio}; solved in ${t.solveMillis} ms.`,
  );
  if (spot) out.push('* spot prices are modelled (0.3–0.7 × on-demand by type and zone), not quoted.');
  return `${out.join('\n')}\n`;
}
