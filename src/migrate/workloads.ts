/**
 * The workloads a migration moves: each one whose pods run on a source pool today (they tolerate its
 * taints and meet its requirements), with its opt-in (opt-in.ts) and whether its pods, opted in, fit
 * a target pool. One that would lose its nodes — it selects a label the new nodes do not carry, or
 * fits no target pool — is named with the reason. DaemonSets need only the toleration. Pure.
 */
import type { V1PodSpec } from '@kubernetes/client-node';
import type { Catalog } from '../catalog/catalog.js';
import { podRequests } from '../kube/resources.js';
import { podTemplateOf } from '../kube/workload.js';
import type { KubeObject } from '../kube/objects.js';
import type { PoolView } from '../scheduling/nodepool.js';
import { fitPools } from '../scheduling/placement.js';
import type { Taint } from '../scheduling/taints.js';
import { decide, type Finding } from './findings.js';
import { optIn, patchCommand, type OptIn, type Rename, type Revalue } from './opt-in.js';

export interface Move {
  readonly object: string;
  /** The source pools its pods run on today. */
  readonly from: readonly string[];
  /** The target pools its pods fit once opted in (empty: it would lose its nodes). */
  readonly to: readonly string[];
  readonly optIn: OptIn;
  /** The command that opts it in (empty when it needs nothing). */
  readonly command: string;
  /** Why the opt-in waits for a decision first (its volumes cannot follow it as they are). */
  readonly heldBy?: string;
}

export interface MoveTarget {
  readonly sources: readonly PoolView[];
  readonly targets: readonly PoolView[];
  readonly taint: Taint | undefined;
  /** What an opted-in workload selects (Auto Mode: compute-type auto). */
  readonly selector: Record<string, string>;
  readonly rename: Rename;
  readonly revalue?: Revalue;
}

/** How a report names a workload: Kind/namespace/name. */
export const workloadId = (o: KubeObject): string =>
  `${o.kind ?? ''}/${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;

function fitting(spec: V1PodSpec, pools: readonly PoolView[], catalog: Catalog) {
  return fitPools(spec, podRequests(spec), pools, catalog);
}

/** Why an opted-in workload cannot move, if it cannot. */
function refusal(object: string, o: OptIn, why: string | undefined, daemon: boolean): Finding | undefined {
  if (o.lost.length > 0)
    return decide(
      object,
      'spec.template.spec',
      `would lose its nodes: it selects ${o.lost.join(', ')}, which the new nodes do not carry`,
      'select on a label they carry (the instance type or family) before it moves',
    );
  if (why === undefined || daemon) return undefined;
  return decide(
    object,
    'spec.template.spec',
    `fits no migrated pool: ${why}`,
    'widen the migrated pool, or leave this workload where it is',
  );
}

/** One workload's move, if its pods run on a source pool; findings for one that would lose its nodes. */
export function moveOf(obj: KubeObject, t: MoveTarget, catalog: Catalog, out: Finding[]): Move | undefined {
  const template = podTemplateOf(obj);
  if (!template || obj.metadata?.ownerReferences?.some((r) => r.controller === true) === true)
    return undefined;
  const from = fitting(template.spec, t.sources, catalog)
    .filter((f) => f.distance === 0)
    .map((f) => f.pool.name);
  if (from.length === 0) return undefined;
  const daemon = obj.kind === 'DaemonSet';
  const o = optIn(template.spec, t.taint, daemon ? {} : t.selector, t.rename, t.revalue);
  const fits = fitting(o.spec, t.targets, catalog);
  const object = workloadId(obj);
  // A workload that selects a label the new nodes do not carry is not moved: it is named instead.
  const to = o.lost.length > 0 ? [] : fits.filter((f) => f.distance === 0).map((f) => f.pool.name);
  const refused = refusal(object, o, to.length === 0 ? (fits[0]?.why?.() ?? 'no pool') : undefined, daemon);
  if (refused) out.push(refused);
  const command = to.length > 0 && Object.keys(o.patch).length > 0 ? patchCommand(obj, o) : '';
  return { object, from, to, optIn: o, command };
}

/** Every workload of `objects` whose pods run on the source pools, in the order given. */
export function movesOf(
  objects: readonly KubeObject[],
  t: MoveTarget,
  catalog: Catalog,
  out: Finding[],
): Move[] {
  return objects.flatMap((o) => {
    const m = moveOf(o, t, catalog, out);
    return m ? [m] : [];
  });
}
