/**
 * The gauges computed from the leader's caches when /metrics is scraped, as pure functions of a
 * snapshot: Karpenter's node, pod, NodePool and eligible-node gauges (its label sets), and Berth's
 * cost per workload class (src/cost).
 */
import { boundPodRequests } from '../kube/pod-resize.js';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Catalog } from '../catalog/catalog.js';
import type { PoolView } from '../scheduling/nodepool.js';
import { LABEL } from '../catalog/instance-type.js';
import { attributeCost } from '../cost/attribute.js';
import { clusterCostInput, type NodeCostOf } from '../cost/sources.js';
import { cpuMillis, parseQuantity } from '../kube/quantity.js';
import type { PodRequests } from '../kube/resources.js';
import type { KubeObject } from '../kube/objects.js';

export interface ClusterSnapshot {
  readonly nodes: readonly V1Node[];
  readonly pods: readonly V1Pod[];
  /** karpenter.sh/v1 NodePools (spec.limits, status.resources). */
  readonly nodePools: readonly KubeObject[];
  /** karpenter.sh/v1 NodeClaims (status conditions Drifted, Consolidatable). */
  readonly nodeClaims: readonly KubeObject[];
  readonly catalog: Catalog;
  /** The pools as the leader reads them (their NodeOverlays' prices): nodes are costed at them. */
  readonly pools?: readonly PoolView[];
  /** The eligible nodes the disruption controller counted (eligible.ts); else read from the claims. */
  readonly eligible?: Readonly<Record<'drifted' | 'underutilized' | 'empty', number>>;
  /** What a node of each NodePool costs beside its instance (volumes, the per-node cost); default 0. */
  readonly nodeCostOf?: NodeCostOf;
  /** Serve Karpenter's gauges (mode berth); false: only Berth's cost. */
  readonly karpenterNames?: boolean;
}

export interface Series {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Karpenter's resource_type: the resource name lower-cased, `-` as `_`. */
export function resourceType(name: string): string {
  return name.toLowerCase().replaceAll('-', '_');
}
/** Karpenter's value of a quantity: CPU in cores from its millicores, everything else in base units (bytes, counts). */
function amount(name: string, q: string | number | undefined): number | undefined {
  if (name !== 'cpu') return parseQuantity(q);
  const m = cpuMillis(q);
  return m === undefined ? undefined : m / 1000;
}

/** Karpenter's node metric labels and the node labels they are read from. */
const NODE_LABEL_KEYS: readonly (readonly [string, string])[] = [
  ['nodepool', LABEL.nodePool],
  ['zone', LABEL.zone],
  ['region', LABEL.region],
  ['instance_type', LABEL.instanceType],
  ['arch', LABEL.arch],
  ['os', LABEL.os],
  ['windows_build', 'node.kubernetes.io/windows-build'],
  ['instance_cpu', LABEL.cpu],
  ['instance_memory', LABEL.memory],
  ['capacity_type', LABEL.capacityType],
  ['instance_category', LABEL.category],
  ['instance_family', LABEL.family],
  ['instance_generation', LABEL.generation],
  ['instance_size', LABEL.size],
];

function fromNodeLabels(l: Readonly<Record<string, string>>, keys: readonly (readonly [string, string])[]) {
  const out: Record<string, string> = {};
  for (const [metric, key] of keys) out[metric] = l[key] ?? '';
  return out;
}

function nodeLabels(n: V1Node): Record<string, string> {
  const l = n.metadata?.labels ?? {};
  return {
    node_name: n.metadata?.name ?? '',
    phase: n.status?.phase ?? '',
    managed: String(l[LABEL.nodePool] !== undefined),
    ...fromNodeLabels(l, NODE_LABEL_KEYS),
  };
}

const isDaemon = (p: V1Pod) => (p.metadata?.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet');
const terminal = (p: V1Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** A bound pod's requests, read once per scrape for both request gauges. */
interface Bound {
  readonly requests: PodRequests;
  readonly daemon: boolean;
}

function requestSeries(base: Record<string, string>, pods: readonly Bound[]): Series[] {
  let cpu = 0;
  let mem = 0;
  for (const p of pods) {
    cpu += p.requests.cpuMillis;
    mem += p.requests.memoryMiB;
  }
  return [
    { labels: { ...base, resource_type: 'cpu' }, value: cpu / 1000 },
    { labels: { ...base, resource_type: 'memory' }, value: mem * 1024 * 1024 },
    { labels: { ...base, resource_type: 'pods' }, value: pods.length },
  ];
}

function nodeSeries(s: ClusterSnapshot) {
  const byNode = new Map<string, Bound[]>();
  for (const p of s.pods) {
    const node = p.spec?.nodeName;
    if (node === undefined || terminal(p)) continue;
    const bound = { requests: boundPodRequests(p), daemon: isDaemon(p) };
    const list = byNode.get(node);
    if (list) list.push(bound);
    else byNode.set(node, [bound]);
  }
  const allocatable: Series[] = [];
  const podRequestRows: Series[] = [];
  const daemonRequests: Series[] = [];
  for (const n of s.nodes) {
    const base = nodeLabels(n);
    for (const [name, q] of Object.entries(n.status?.allocatable ?? {})) {
      const v = amount(name, q);
      if (v !== undefined)
        allocatable.push({ labels: { ...base, resource_type: resourceType(name) }, value: v });
    }
    const pods = byNode.get(n.metadata?.name ?? '') ?? [];
    podRequestRows.push(...requestSeries(base, pods));
    daemonRequests.push(
      ...requestSeries(
        base,
        pods.filter((p) => p.daemon),
      ),
    );
  }
  return { allocatable, podRequests: podRequestRows, daemonRequests };
}

const POD_NODE_KEYS = NODE_LABEL_KEYS.filter(([m]) =>
  ['nodepool', 'zone', 'arch', 'capacity_type', 'instance_type'].includes(m),
);

/** Karpenter's owner label: the first owner's self link, as the API would have written it. */
function ownerLink(p: V1Pod): string {
  const owner = p.metadata?.ownerReferences?.[0];
  const ns = p.metadata?.namespace ?? '';
  return owner ? `/apis/${owner.apiVersion}/namespaces/${ns}/${owner.kind.toLowerCase()}s/${owner.name}` : '';
}

function podLabels(
  p: V1Pod,
  nodeLabelsOf: (node: string) => Readonly<Record<string, string>>,
): Record<string, string> {
  const node = p.spec?.nodeName ?? '';
  const l = nodeLabelsOf(node);
  const ready = (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return {
    name: p.metadata?.name ?? '',
    namespace: p.metadata?.namespace ?? '',
    owner: ownerLink(p),
    node,
    scheduled: String(node !== ''),
    ...fromNodeLabels(l, POD_NODE_KEYS),
    phase: p.status?.phase ?? '',
    ready: String(ready),
    managed: String(l[LABEL.nodePool] !== undefined),
  };
}

function podSeries(s: ClusterSnapshot): Series[] {
  const nodes = new Map(s.nodes.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  return s.pods.map((p) => ({ labels: podLabels(p, (name) => nodes.get(name) ?? {}), value: 1 }));
}

type PoolObject = KubeObject & {
  spec?: { limits?: Record<string, string | number> };
  status?: { resources?: Record<string, string | number> };
};

function poolSeries(s: ClusterSnapshot, field: 'limits' | 'resources'): Series[] {
  const out: Series[] = [];
  for (const p of s.nodePools as PoolObject[]) {
    const list = field === 'limits' ? p.spec?.limits : p.status?.resources;
    for (const [name, q] of Object.entries(list ?? {})) {
      const v = amount(name, q);
      if (v !== undefined)
        out.push({
          labels: { resource_type: resourceType(name), nodepool: p.metadata?.name ?? '' },
          value: v,
        });
    }
  }
  return out;
}

type ClaimObject = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };

/** Nodes eligible for disruption by reason (Karpenter's: drifted, underutilized, empty). */
function eligibleSeries(s: ClusterSnapshot): Series[] {
  if (s.eligible) return Object.entries(s.eligible).map(([reason, value]) => ({ labels: { reason }, value }));
  const counts = { drifted: 0, underutilized: 0, empty: 0 };
  const busy = new Set(s.pods.filter((p) => !isDaemon(p) && !terminal(p)).map((p) => p.spec?.nodeName ?? ''));
  for (const c of s.nodeClaims as ClaimObject[]) {
    const on = (t: string) => (c.status?.conditions ?? []).some((x) => x.type === t && x.status === 'True');
    if (on('Drifted')) counts.drifted += 1;
    if (on('Consolidatable')) {
      const node = (c.status as { nodeName?: string } | undefined)?.nodeName ?? '';
      counts[busy.has(node) ? 'underutilized' : 'empty'] += 1;
    }
  }
  return Object.entries(counts).map(([reason, value]) => ({ labels: { reason }, value }));
}

function costSeries(s: ClusterSnapshot): { cost: Series[]; idle: Series[] } {
  const input = clusterCostInput(s.nodes, s.pods, s.catalog, s.pools, s.nodeCostOf);
  const a = attributeCost(input.nodes, input.pods);
  return {
    cost: a.rows.map((r) => ({
      labels: { namespace: r.namespace, class: r.runtimeClass, workload: r.workload, nodepool: r.nodePool },
      value: r.usdPerHour,
    })),
    idle: a.idle.map((i) => ({ labels: { nodepool: i.nodePool }, value: i.usdPerHour })),
  };
}

export function clusterSeries(s: ClusterSnapshot) {
  if (s.karpenterNames === false)
    return {
      allocatable: [],
      podRequests: [],
      daemonRequests: [],
      pods: [],
      poolUsage: [],
      poolLimits: [],
      eligible: [],
      ...costSeries(s),
    };
  return {
    ...nodeSeries(s),
    pods: podSeries(s),
    poolUsage: poolSeries(s, 'resources'),
    poolLimits: poolSeries(s, 'limits'),
    eligible: eligibleSeries(s),
    ...costSeries(s),
  };
}
