/**
 * The node groups of a cluster, from its Nodes: EKS managed node groups label theirs
 * `eks.amazonaws.com/nodegroup` (eksctl's `alpha.eksctl.io/nodegroup-name`), with their instance types,
 * capacity type, zones and architectures, the labels and taints all their nodes share, what they cost
 * now, and the pods that run on them (DaemonSet pods aside). Pure.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../../catalog/instance-type.js';
import { priceOfLabels, type Catalog } from '../../catalog/catalog.js';
import { isDaemonSetPod } from '../../kube/workload.js';
import type { Taint } from '../../scheduling/taints.js';

export const NODEGROUP_LABELS = ['eks.amazonaws.com/nodegroup', 'alpha.eksctl.io/nodegroup-name'] as const;
/** EKS's capacity type label on managed node group nodes (ON_DEMAND, SPOT, CAPACITY_BLOCK). */
export const EKS_CAPACITY_TYPE = 'eks.amazonaws.com/capacityType';

export interface NodeGroup {
  readonly name: string;
  readonly nodes: readonly V1Node[];
  readonly instanceTypes: readonly string[];
  readonly capacityTypes: readonly string[];
  readonly zones: readonly string[];
  readonly arches: readonly string[];
  /** Labels every node of the group carries that a workload may select on (not the node's own facts). */
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly pricePerHour: number;
  readonly pods: readonly V1Pod[];
}

export const nodeGroupOf = (n: V1Node): string | undefined => {
  const labels = n.metadata?.labels ?? {};
  for (const k of NODEGROUP_LABELS) if (labels[k] !== undefined) return labels[k];
  return undefined;
};

/** Karpenter's name for EKS's capacity type. */
export const capacityTypeOf = (eks: string | undefined): string =>
  eks === 'SPOT' ? 'spot' : eks === 'CAPACITY_BLOCK' ? 'reserved' : 'on-demand';

/** Labels that describe the node itself (kubelet's, EKS's, the instance's): never carried to a pool. */
const OWN =
  /^(kubernetes\.io\/|node\.kubernetes\.io\/|topology\.kubernetes\.io\/|failure-domain\.beta\.kubernetes\.io\/|beta\.kubernetes\.io\/|eks\.amazonaws\.com\/|alpha\.eksctl\.io\/|k8s\.io\/cloud-provider-aws|topology\.ebs\.csi\.aws\.com\/|karpenter\.)/;

const sorted = (xs: Iterable<string>) => [...new Set(xs)].filter((x) => x !== '').sort();

/** The items of the first list every other list has too (compared by `key`). */
export function shared<T>(lists: readonly (readonly T[])[], key: (t: T) => string): T[] {
  const [first, ...rest] = lists;
  return (first ?? []).filter((t) => rest.every((l) => l.some((u) => key(u) === key(t))));
}

/** The labels every map holds with the same value. */
export function sharedLabels(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = maps;
  return Object.fromEntries(Object.entries(first ?? {}).filter(([k, v]) => rest.every((l) => l[k] === v)));
}

const taintKey = (t: Taint) => `${t.key}=${t.value ?? ''}:${t.effect}`;

function groupOf(
  name: string,
  nodes: readonly V1Node[],
  pods: readonly V1Pod[],
  catalog: Catalog,
): NodeGroup {
  const label = (k: string) => sorted(nodes.map((n) => n.metadata?.labels?.[k] ?? ''));
  const names = new Set(nodes.map((n) => n.metadata?.name ?? ''));
  const taints = shared(
    nodes.map(
      (n) => (n.spec?.taints ?? []).filter((t) => !t.key.startsWith('node.kubernetes.io/')) as Taint[],
    ),
    taintKey,
  );
  const pricePerHour = nodes.reduce((sum, n) => {
    const l = n.metadata?.labels ?? {};
    return sum + priceOfLabels(catalog, { ...l, [LABEL.capacityType]: capacityTypeOf(l[EKS_CAPACITY_TYPE]) });
  }, 0);
  return {
    name,
    nodes,
    instanceTypes: label(LABEL.instanceType),
    capacityTypes: sorted(nodes.map((n) => capacityTypeOf(n.metadata?.labels?.[EKS_CAPACITY_TYPE]))),
    zones: label(LABEL.zone),
    arches: label(LABEL.arch),
    labels: Object.fromEntries(
      Object.entries(sharedLabels(nodes.map((n) => n.metadata?.labels ?? {}))).filter(([k]) => !OWN.test(k)),
    ),
    taints,
    pricePerHour,
    pods: pods.filter((p) => names.has(p.spec?.nodeName ?? '') && !isDaemonSetPod(p)),
  };
}

/** The node groups of these Nodes, by name. */
export function nodeGroups(nodes: readonly V1Node[], pods: readonly V1Pod[], catalog: Catalog): NodeGroup[] {
  const by = new Map<string, V1Node[]>();
  for (const n of nodes) {
    const g = nodeGroupOf(n);
    if (g === undefined) continue;
    const list = by.get(g);
    if (list) list.push(n);
    else by.set(g, [n]);
  }
  return [...by].sort(([a], [b]) => a.localeCompare(b)).map(([name, ns]) => groupOf(name, ns, pods, catalog));
}
