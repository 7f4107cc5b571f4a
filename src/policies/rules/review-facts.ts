/**
 * What the NodePool review rules read of a pool, derived once per pool view and catalog: the instance
 * types its requirements admit (Karpenter's own filter: pkg/scheduling requirements against each type's
 * labels), whether it may buy spot, the smallest node a limit must leave room for, and which of its
 * requirements the team wrote (not the defaults Karpenter adds).
 */
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL, type InstanceType } from '../../catalog/instance-type.js';
import type { KubeObject } from '../../kube/objects.js';
import { poolTypesFor } from '../../scheduling/placement.js';
import { allows, Requirements } from '../../scheduling/requirements.js';
import type { NodePool, PoolView } from '../../scheduling/nodepool.js';
import { derived } from '../../util/memo.js';
import type { Target } from './rule.js';

/** The review target of a Karpenter NodePool or node class (any kind when the group is not given). */
export function reviewTargetOf(obj: {
  kind?: string | undefined;
  apiVersion?: string | undefined;
}): Target | undefined {
  const group = groupOf(obj.apiVersion);
  const from = (g: string) => group === undefined || group === g;
  if (obj.kind === 'NodePool' && from('karpenter.sh')) return 'nodepool';
  if (obj.kind === 'EC2NodeClass' && from('karpenter.k8s.aws')) return 'nodeclass';
  if (obj.kind === 'NodeClass' && from('eks.amazonaws.com')) return 'nodeclass';
  return undefined;
}

export interface PoolFacts {
  /** The catalog's types the pool's requirements admit. */
  readonly types: readonly InstanceType[];
  readonly spot: boolean;
  /** The requirement keys written in the NodePool itself. */
  readonly written: ReadonlySet<string>;
}

const NO_TERM = new Requirements();
const cache = new WeakMap<PoolView, WeakMap<Catalog, PoolFacts>>();

export function poolFacts(view: PoolView, catalog: Catalog): PoolFacts {
  const byCatalog = derived(cache, view, () => new WeakMap<Catalog, PoolFacts>());
  let facts = byCatalog.get(catalog);
  if (facts === undefined) {
    const capacity = view.requirements.get(LABEL.capacityType);
    facts = {
      types: poolTypesFor(view, NO_TERM, catalog).filter((t) => t.onDemandPrice !== null),
      spot: capacity === undefined || allows(capacity, 'spot'),
      written: new Set((view.pool.spec.template.spec.requirements ?? []).map((r) => r.key)),
    };
    byCatalog.set(catalog, facts);
  }
  return facts;
}

/** The `nodes` of a pool's budgets with no schedule (always in force); Karpenter's 10% when none is written. */
export function standingBudgets(pool: NodePool): string[] {
  const all = (pool.spec.disruption?.budgets ?? [{ nodes: '10%' }]) as {
    nodes?: unknown;
    schedule?: unknown;
  }[];
  return all.flatMap((b) =>
    b.schedule === undefined && (typeof b.nodes === 'string' || typeof b.nodes === 'number')
      ? [String(b.nodes)]
      : [],
  );
}

/** Whether a type carries accelerators (GPUs, fractional ones too; Inferentia/Trainium). */
export function accelerated(t: InstanceType): boolean {
  const c = t.capacity;
  return c.nvidiaGpu + c.amdGpu + c.neuron > 0 || t.labels[LABEL.gpuName] !== undefined;
}

/** An apiVersion's group (undefined when absent or not a string: a review may carry anything). */
function groupOf(apiVersion: unknown): string | undefined {
  return typeof apiVersion === 'string' ? apiVersion.split('/')[0] : undefined;
}

/** The NodePools that name this node class. */
export function poolsOfClass(pools: readonly PoolView[], cls: KubeObject): PoolView[] {
  const name = cls.metadata?.name;
  const group = groupOf(cls.apiVersion);
  return pools.filter((p) => {
    const ref = p.pool.spec.template.spec.nodeClassRef;
    return ref?.name === name && (ref?.group === undefined || group === undefined || ref.group === group);
  });
}

/** Types by name, cheapest first, for messages: `m5.large ($0.096/h)`. */
export function typeList(types: readonly InstanceType[], n = 3): string {
  const sorted = [...types].sort((a, b) => (a.onDemandPrice ?? 0) - (b.onDemandPrice ?? 0));
  const shown = sorted.slice(0, n).map((t) => `${t.name} ($${(t.onDemandPrice ?? 0).toFixed(3)}/h)`);
  return sorted.length > n ? `${shown.join(', ')}, …` : shown.join(', ');
}
