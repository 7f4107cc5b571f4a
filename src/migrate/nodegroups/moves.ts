/**
 * The workloads that leave the node groups: each one whose pods run there, opted in to its class's
 * NodePool (the migration taint tolerated, `karpenter.sh/nodepool` selected, selectors on node group
 * names dropped), and each DaemonSet that needs the toleration to run on the new nodes. Pure.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL } from '../../catalog/instance-type.js';
import { podRequests } from '../../kube/resources.js';
import type { KubeObject } from '../../kube/objects.js';
import { selectorMatches } from '../../kube/selector.js';
import { podTemplateOf, workloadSelector } from '../../kube/workload.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { fitPools } from '../../scheduling/placement.js';
import type { Taint } from '../../scheduling/taints.js';
import { decide, note, type Finding } from '../findings.js';
import { optIn, patchCommand } from '../opt-in.js';
import { workloadId as idOf, type Move } from '../workloads.js';
import { EKS_CAPACITY_TYPE, NODEGROUP_LABELS } from './inventory.js';

/** What a key means once the pods leave the node groups: node group names and EKS's capacity label go. */
const rename = (key: string): string | undefined =>
  (NODEGROUP_LABELS as readonly string[]).includes(key) || key === EKS_CAPACITY_TYPE ? undefined : key;

/** The workload of `workloads` whose pod this is (same namespace, its selector matches). */
export function owner(pod: V1Pod, workloads: readonly KubeObject[]): KubeObject | undefined {
  const ns = pod.metadata?.namespace ?? 'default';
  const labels = pod.metadata?.labels ?? {};
  return workloads.find(
    (w) =>
      w.kind !== 'DaemonSet' &&
      w.kind !== 'Pod' &&
      (w.metadata?.namespace ?? 'default') === ns &&
      selectorMatches(workloadSelector(w), labels),
  );
}

export interface ClassMove {
  readonly groups: readonly string[];
  readonly pool: NodePool;
  readonly taint: Taint;
  readonly catalog: Catalog;
}

export function moveOf(obj: KubeObject, c: ClassMove, out: Finding[]): Move | undefined {
  const template = podTemplateOf(obj);
  if (!template) return undefined;
  const name = c.pool.metadata.name;
  const o = optIn(template.spec, c.taint, { [LABEL.nodePool]: name }, rename);
  const object = idOf(obj);
  const fits = fitPools(o.spec, podRequests(o.spec), [poolView(c.pool)], c.catalog);
  const to = fits.filter((f) => f.distance === 0).map((f) => f.pool.name);
  if (o.lost.length > 0)
    out.push(
      note(
        object,
        'spec.template.spec',
        `selects ${o.lost.join(', ')}, which NodePool nodes do not carry: the opt-in drops it`,
        `it selects ${name} instead`,
      ),
    );
  if (to.length === 0)
    out.push(
      decide(
        object,
        'spec.template.spec',
        `fits no proposed pool: ${fits[0]?.why?.() ?? ''}`,
        'widen the proposed pool, or leave this workload on its node group',
      ),
    );
  const command = Object.keys(o.patch).length > 0 ? patchCommand(obj, o) : '';
  return { object, from: c.groups, to, optIn: o, command };
}

/** DaemonSets that do not tolerate the migration taint: they need it to run on the new nodes. */
export function daemonSetMoves(
  workloads: readonly KubeObject[],
  groups: readonly string[],
  pools: readonly NodePool[],
  taint: Taint,
): Move[] {
  if (groups.length === 0) return [];
  return workloads.flatMap((w) => {
    const template = w.kind === 'DaemonSet' ? podTemplateOf(w) : undefined;
    if (!template) return [];
    const o = optIn(template.spec, taint, {}, (k) => k);
    if (Object.keys(o.patch).length === 0) return [];
    const to = pools.map((p) => p.metadata.name);
    return [{ object: idOf(w), from: groups, to, optIn: o, command: patchCommand(w, o) }];
  });
}
