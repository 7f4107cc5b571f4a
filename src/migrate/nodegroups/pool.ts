/**
 * The NodePool proposed for one runtime class of a cluster on node groups: requirements that allow the
 * families, capacity types, architectures and zones its groups use, the labels and taints they all
 * share, limits from the groups' max sizes (or twice today's capacity), and the migration taint. Pure.
 */
import { LABEL } from '../../catalog/instance-type.js';
import { cpuMillis } from '../../kube/quantity.js';
import { CLASS_LABEL } from '../../kube/berth-labels.js';
import type { NodePool } from '../../scheduling/nodepool.js';
import type { Taint } from '../../scheduling/taints.js';
import type { Catalog } from '../../catalog/catalog.js';
import { shared, sharedLabels, type NodeGroup } from './inventory.js';
import { groupMost, type GroupLimits } from './describe.js';

/** The runtime class a pod belongs to: Berth's label or selector, its RuntimeClass, else general. */
export function podClass(
  spec: { nodeSelector?: Record<string, string>; runtimeClassName?: string },
  labels: Record<string, string> = {},
): string {
  return spec.nodeSelector?.[CLASS_LABEL] ?? labels[CLASS_LABEL] ?? spec.runtimeClassName ?? 'general';
}

export const poolName = (cls: string): string => `migrated-${cls}`;

const family = (type: string) => type.split('.')[0] ?? type;

/** vCPUs of the groups' nodes today. */
const vcpus = (groups: readonly NodeGroup[]) =>
  groups.reduce(
    (s, g) => s + g.nodes.reduce((x, n) => x + (cpuMillis(n.status?.capacity?.cpu) ?? 0) / 1000, 0),
    0,
  );

/**
 * What the pool may hold: the groups' max sizes times their largest types, when `aws eks
 * describe-nodegroup` told them for every group; twice today's vCPUs otherwise.
 */
export function poolLimits(
  groups: readonly NodeGroup[],
  described: ReadonlyMap<string, GroupLimits>,
  catalog: Catalog,
): Record<string, string> {
  const most = groups.map((g) => {
    const d = described.get(g.name);
    return d ? groupMost(d, g.instanceTypes, catalog) : undefined;
  });
  if (most.length > 0 && most.every((m) => m !== undefined)) {
    const cpu = most.reduce((s, m) => s + m.cpu, 0);
    const mem = most.reduce((s, m) => s + m.memoryGiB, 0);
    return { cpu: String(Math.ceil(cpu)), memory: `${Math.ceil(mem)}Gi` };
  }
  return { cpu: String(Math.max(Math.ceil(vcpus(groups) * 2), 1)) };
}

export interface PoolInput {
  readonly nodeClass: string;
  readonly taint: Taint;
  readonly limits: Record<string, string>;
}

export function proposedPool(cls: string, groups: readonly NodeGroup[], p: PoolInput): NodePool {
  const all = (f: (g: NodeGroup) => readonly string[]) => [...new Set(groups.flatMap(f))].sort();
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: {
      name: poolName(cls),
      annotations: { 'berth.dev/migrated-from': groups.map((g) => `nodegroup/${g.name}`).join(',') },
    },
    spec: {
      template: {
        metadata: { labels: { ...sharedLabels(groups.map((g) => g.labels)), [CLASS_LABEL]: cls } },
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: p.nodeClass },
          requirements: [
            { key: LABEL.family, operator: 'In', values: all((g) => g.instanceTypes.map(family)) },
            { key: LABEL.capacityType, operator: 'In', values: all((g) => g.capacityTypes) },
            { key: LABEL.arch, operator: 'In', values: all((g) => g.arches) },
            { key: LABEL.zone, operator: 'In', values: all((g) => g.zones) },
          ],
          taints: [
            ...shared(
              groups.map((g) => g.taints),
              (t) => `${t.key}:${t.effect}`,
            ),
            p.taint,
          ],
        },
      },
      limits: p.limits,
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m' },
    },
  };
}
