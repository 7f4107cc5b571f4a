/**
 * How many replicas of an admitted workload are worth planning, whatever `spec.replicas` says: no
 * more than its profile's `scaling.maxReplicas`, its HPA's `maxReplicas`, and what the NodePools
 * that can take its pods could ever hold within their `limits`. A valid Deployment with
 * `replicas: 2147483647` is planned for what the cluster could run, not for two billion pods.
 */
import type { KubeObject } from '../../kube/objects.js';
import { podRequests, type PodRequests } from '../../kube/resources.js';
import { podTemplateOf } from '../../kube/workload.js';
import { profileNameFor } from '../../policies/compile/compile.js';
import { hpaFor } from '../../policies/context.js';
import type { Policies } from '../../policies/policies.js';
import type { ClusterView } from '../../policies/view.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { EvaluationBudgetError, fitPools } from '../../scheduling/placement.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { ReplicaCap } from './demand.js';
import { count } from '../../util/canonical.js';

interface Bound {
  max: number;
  why: string;
}

/** Pods of these requests one pool's limits could hold; undefined when the pool sets no limits. */
function poolRoom(pool: PoolView, req: PodRequests): number | undefined {
  const { cpuMillis, memoryMiB } = pool.limits;
  if (cpuMillis === undefined && memoryMiB === undefined) return undefined;
  const byCpu = cpuMillis !== undefined && req.cpuMillis > 0 ? cpuMillis / req.cpuMillis : Infinity;
  const byMem = memoryMiB !== undefined && req.memoryMiB > 0 ? memoryMiB / req.memoryMiB : Infinity;
  const room = Math.floor(Math.min(byCpu, byMem));
  return Number.isFinite(room) ? room : undefined;
}

/** What the NodePools that fit the workload's pods could hold in all, when every one of them has limits. */
function limitsBound(obj: KubeObject, pools: readonly PoolView[], catalog: Catalog): Bound | undefined {
  const spec = podTemplateOf(obj)?.spec;
  if (!spec) return undefined;
  const req = podRequests(spec);
  let fits;
  try {
    fits = fitPools(
      spec,
      req,
      pools.filter((p) => !p.autoMode),
      catalog,
    ).filter((f) => f.fitting.length > 0);
  } catch (e) {
    if (e instanceof EvaluationBudgetError) return undefined;
    throw e;
  }
  if (fits.length === 0) return undefined;
  let total = 0;
  for (const f of fits) {
    const room = poolRoom(f.pool, req);
    if (room === undefined) return undefined;
    total += room;
  }
  const names = fits.map((f) => f.pool.name).join(', ');
  return { max: total, why: `the limits of NodePool ${names} hold at most ${total} of its pods` };
}

function profileBound(view: ClusterView, policies: Policies, obj: KubeObject, ns: string): Bound | undefined {
  const profileName = profileNameFor(obj, policies, ns);
  if (profileName === undefined) return undefined;
  const max = view.profile(ns, profileName)?.spec.scaling?.maxReplicas;
  return max === undefined
    ? undefined
    : { max, why: `profile ${profileName} allows at most ${count(max, 'replica')}` };
}

export function replicaCap(
  view: ClusterView,
  policies: () => Policies,
  pools: () => readonly PoolView[],
  catalog: () => Catalog,
): ReplicaCap {
  return (obj) => {
    const ns = obj.metadata?.namespace ?? 'default';
    const name = obj.metadata?.name ?? '';
    const bounds: Bound[] = [];
    const profile = profileBound(view, policies(), obj, ns);
    if (profile) bounds.push(profile);
    const hpa = hpaFor(view, ns, obj.kind, name);
    if (hpa)
      bounds.push({
        max: hpa.spec.maxReplicas,
        why: `HPA ${hpa.metadata?.name ?? ''} scales it to at most ${hpa.spec.maxReplicas}`,
      });
    const limits = limitsBound(obj, pools(), catalog());
    if (limits) bounds.push(limits);
    const tightest = bounds.reduce<Bound | undefined>(
      (a, b) => (a === undefined || b.max < a.max ? b : a),
      undefined,
    );
    // An HPA keeps at least its minReplicas running, whatever spec.replicas says.
    const min = hpa?.spec.minReplicas;
    if (min === undefined) return tightest;
    return { ...(tightest ?? { max: Number.POSITIVE_INFINITY, why: '' }), min };
  };
}
