/**
 * An independent check of a plan against its input, written apart from the solver: every pod placed
 * once or reported, resources and pod slots within each node's allocatable after daemonsets, node
 * requirements and taints, the pool's own requirements and limits, prices from the catalog, and the
 * inter-pod constraints replayed in the plan's binding order. Used by the tests, the benchmark and
 * `berth plan --verify`.
 */
import { countType, emptyUsage } from '../solver/pools.js';
import type { LimitKey } from '../../scheduling/nodepool.js';
import { LABEL } from '../../catalog/instance-type.js';
import { allows } from '../../scheduling/requirements.js';
import { untoleratedTaint } from '../../scheduling/taints.js';
import type { ExistingNode, Plan, PlannedNode, SolverInput, SolverPod } from '../solver/model.js';
import { replayTopology } from './verify-topology.js';
import { poolCatalog } from '../../scheduling/nodepool.js';
import { addInto, DIMS, fromAllocatable, sub, ZERO, type Res } from '../solver/resources.js';

export interface Problem {
  readonly node?: string;
  readonly pod?: string;
  readonly message: string;
}

function coverage(input: SolverInput, plan: Plan, problems: Problem[]): void {
  const seen = new Map<string, number>();
  for (const n of plan.nodes) for (const p of n.pods) seen.set(p, (seen.get(p) ?? 0) + 1);
  for (const u of [...plan.unschedulable, ...plan.servedByAutoMode])
    seen.set(u.pod, (seen.get(u.pod) ?? 0) + 1);
  for (const p of input.pods) {
    const k = seen.get(p.id) ?? 0;
    if (k !== 1)
      problems.push({
        pod: p.id,
        message: `appears ${k} times in the plan (placed, unschedulable or served by EKS Auto Mode)`,
      });
    seen.delete(p.id);
  }
  for (const id of seen.keys()) problems.push({ pod: id, message: 'is in the plan but not in the input' });
}

function capacityOf(
  node: PlannedNode,
  input: SolverInput,
  existing: ExistingNode | undefined,
): Res | undefined {
  if (existing) return { ...existing.allocatable };
  // The type as the pool's EC2NodeClass shapes it (max pods, reservations, ephemeral storage).
  const pool = input.pools.find((p) => p.name === node.nodePool);
  const type = (pool ? poolCatalog(pool, input.catalog) : input.catalog).byName(node.instanceType);
  if (!type) return undefined;
  let cap = fromAllocatable(type.allocatable);
  for (const ds of input.daemonSets) {
    if (untoleratedTaint(node.taints, ds.tolerations)) continue;
    if (ds.terms.length > 0 && !ds.terms.some((t) => t.matchesLabels(node.labels))) continue;
    cap = sub(cap, ds.requests);
  }
  return cap;
}

function resources(
  node: PlannedNode,
  input: SolverInput,
  pods: ReadonlyMap<string, SolverPod>,
  problems: Problem[],
): void {
  const existing = input.nodes.find((n) => n.name === node.name);
  if (node.existing !== (existing !== undefined))
    problems.push({ node: node.name, message: 'existing flag disagrees with the input' });
  const cap = capacityOf(node, input, existing);
  if (!cap) {
    problems.push({ node: node.name, message: `unknown instance type ${node.instanceType}` });
    return;
  }
  const used: Res = { ...ZERO };
  for (const bp of existing?.pods ?? []) addInto(used, { ...bp.requests, pods: 1 });
  for (const id of node.pods) {
    const p = pods.get(id);
    if (!p) continue;
    addInto(used, { ...p.requests, pods: 1 });
    if (untoleratedTaint(node.taints, p.tolerations))
      problems.push({ node: node.name, pod: id, message: 'taint not tolerated' });
    if (!p.terms.some((t) => t.matchesLabels(node.labels)))
      problems.push({ node: node.name, pod: id, message: 'node requirements not met' });
  }
  for (const k of DIMS) {
    if (used[k] > cap[k])
      problems.push({ node: node.name, message: `${k} ${used[k]} exceeds allocatable ${cap[k]}` });
  }
}

function poolChecks(node: PlannedNode, input: SolverInput, problems: Problem[]): void {
  if (node.existing) return;
  const pool = input.pools.find((p) => p.name === node.nodePool);
  if (!pool) {
    problems.push({ node: node.name, message: `unknown NodePool ${node.nodePool}` });
    return;
  }
  if (pool.autoMode) problems.push({ node: node.name, message: `NodePool ${pool.name} is EKS Auto Mode` });
  for (const r of pool.requirements.values()) {
    if (!allows(r, node.labels[r.key]))
      problems.push({ node: node.name, message: `violates NodePool ${pool.name}'s ${r.key} requirement` });
  }
  const own = poolCatalog(pool, input.catalog);
  const type = own.byName(node.instanceType);
  const price = type ? own.price(type, node.zone, node.capacityType) : null;
  if (price === null || Math.abs(price - node.pricePerHour) > 1e-9)
    problems.push({
      node: node.name,
      message: `price ${node.pricePerHour} is not the catalog's (${String(price)})`,
    });
  if (input.unavailable?.(node.instanceType, node.zone, node.capacityType))
    problems.push({ node: node.name, message: 'offering is marked unavailable' });
  if (node.labels[LABEL.zone] !== node.zone)
    problems.push({ node: node.name, message: 'zone label disagrees' });
}

function limits(input: SolverInput, plan: Plan, problems: Problem[]): void {
  for (const pool of input.pools) {
    const used = { ...emptyUsage(), ...input.poolUsage?.get(pool.name) };
    for (const n of plan.nodes)
      if (!n.existing && n.nodePool === pool.name) countType(used, input.catalog.byName(n.instanceType), 1);
    const over = Object.entries(pool.limits).filter(([k, l]) => used[k as LimitKey] > l);
    if (over.length > 0)
      problems.push({
        message: `NodePool ${pool.name} exceeds its limits (${over.map(([k]) => k).join(', ')})`,
      });
  }
}

export function verifyPlan(input: SolverInput, plan: Plan): Problem[] {
  const problems: Problem[] = [];
  const pods = new Map(input.pods.map((p) => [p.id, p]));
  coverage(input, plan, problems);
  for (const node of plan.nodes) {
    resources(node, input, pods, problems);
    poolChecks(node, input, problems);
  }
  limits(input, plan, problems);
  problems.push(...replayTopology(input, plan, pods));
  return problems;
}
