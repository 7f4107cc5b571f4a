/**
 * Which of Berth's nodes may be disrupted now, and for each one kept, why (the question Karpenter
 * users most often cannot answer). A node is Berth's when its `karpenter.sh/nodepool` label names a
 * NodePool Berth provisions (not an EKS Auto Mode one). Kept: a node or an active pod on it with
 * `karpenter.sh/do-not-disrupt: "true"`, a pod behind a PDB that allows no eviction now or behind
 * two PDBs (the Eviction API refuses it), a pod with no controller (nothing would recreate it: drain
 * refuses it too), a node not Ready or already being disrupted.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { poolCatalog, type PoolView } from '../../scheduling/nodepool.js';
import { LABEL } from '../../catalog/instance-type.js';
import { priceOfLabels, type Catalog } from '../../catalog/catalog.js';
import { DISRUPTION_ANNOTATION } from './marks.js';
import { doNotDisrupt, hasController, isReady, moves, podId, podProtection, type Pdbs } from './pods.js';

export const DISRUPTED_TAINT = 'karpenter.sh/disrupted';

export interface NodeInfo {
  readonly node: V1Node;
  readonly name: string;
  readonly pool: PoolView;
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: string;
  /** USD/h from the catalog (0 when the type or offering is unknown). */
  readonly price: number;
  /** Pods a drain would move elsewhere. */
  readonly moving: readonly V1Pod[];
  /** Of those, the ones a drain moves surge-first (surge.ts): no eviction, so no PDB asked. */
  readonly surging?: ReadonlySet<V1Pod>;
  /** A drifted node its pods hold from every method but drift (eventual.ts): what holds it. */
  readonly heldBy?: string;
}

export interface Kept {
  readonly node: string;
  readonly reason: string;
}

export interface Classified {
  /** Nodes that may be disrupted, before budgets and price. */
  readonly candidates: NodeInfo[];
  readonly kept: Kept[];
  /** Every Berth node, by name (candidates and kept). */
  readonly managed: Map<string, NodeInfo>;
  /** Per pool: its initialized nodes, and those already disrupting or not Ready (budgets count them). */
  readonly counts: Map<string, { total: number; disrupting: number }>;
}

function nodeReady(node: V1Node): boolean {
  const c = node.status?.conditions?.find((x) => x.type === 'Ready');
  return c === undefined || c.status === 'True';
}

/**
 * Being disrupted: the `karpenter.sh/disrupted` taint, Berth's phase annotation (validating or
 * draining; a leader sets both, one patch), or a deletion under way.
 */
export function disrupting(node: V1Node): boolean {
  return (
    node.metadata?.deletionTimestamp !== undefined ||
    node.metadata?.annotations?.[DISRUPTION_ANNOTATION] !== undefined ||
    (node.spec?.taints ?? []).some((t) => t.key === DISRUPTED_TAINT)
  );
}

const byId = (a: V1Pod, b: V1Pod): number => podId(a).localeCompare(podId(b));

/**
 * The first thing on the node that forbids evicting its pods now, if any; pods are looked at by
 * namespace and name, so the leader's Event and `berth why node` name the same one whatever order the
 * pods were listed in.
 */
export interface BlockOptions {
  /** Pods a drain moves surge-first (surge.ts): a PDB does not hold them. */
  readonly surges?: (pod: V1Pod) => boolean;
  /**
   * Eventual disruption (drift) bounded by the NodePool's terminationGracePeriod: as Karpenter's
   * NewCandidate (IgnorePodBlockEvictionError), do-not-disrupt pods and PDBs do not hold the node —
   * its drain waits on them until that deadline. The node's own do-not-disrupt still holds it.
   */
  readonly eventual?: boolean;
}

export function blockerOf(
  node: V1Node,
  pods: readonly V1Pod[],
  pdbs: Pdbs,
  now: Date,
  o: BlockOptions = {},
): string | undefined {
  if (doNotDisrupt(node.metadata)) return 'node has karpenter.sh/do-not-disrupt: "true"';
  for (const pod of [...pods].sort(byId)) {
    if (!moves(pod)) continue;
    const protectedBy = o.eventual === true ? undefined : podProtection(pod, now);
    if (protectedBy !== undefined) return protectedBy;
    if (!hasController(pod))
      return `pod ${podId(pod)} has no controller: evicting it would delete it for good`;
    // Moved surge-first, the pod is never evicted: its PDB has nothing to refuse.
    if (o.eventual === true || o.surges?.(pod) === true) continue;
    const refused = pdbRefusal(pod, pdbs);
    if (refused !== undefined) return refused;
  }
  return undefined;
}

/** Why the Eviction API refuses the pod now, if it does: more than one PDB, or one that allows 0. */
function pdbRefusal(pod: V1Pod, pdbs: Pdbs): string | undefined {
  const over = pdbs.over(pod);
  if (over.length > 1)
    return `pod ${podId(pod)} is selected by ${over.length} PodDisruptionBudgets (${over.map((s) => s.id).join(', ')}): the Eviction API refuses it`;
  const pdb = over[0];
  if (pdb && pdb.allowed <= 0 && !(pdb.alwaysAllow && !isReady(pod)))
    return `PodDisruptionBudget ${pdb.id} allows 0 disruptions (${pdb.text})`;
  return undefined;
}

function infoOf(
  node: V1Node,
  pool: PoolView,
  pods: readonly V1Pod[],
  catalog: Catalog,
  surges: ((pod: V1Pod) => boolean) | undefined,
): NodeInfo {
  const labels = node.metadata?.labels ?? {};
  const moving = pods.filter(moves);
  const surging = surges ? moving.filter(surges) : [];
  return {
    node,
    name: node.metadata?.name ?? '',
    pool,
    instanceType: labels[LABEL.instanceType] ?? '',
    zone: labels[LABEL.zone] ?? '',
    capacityType: labels[LABEL.capacityType] ?? '',
    price: priceOfLabels(poolCatalog(pool, catalog), labels),
    moving,
    ...(surging.length > 0 ? { surging: new Set(surging) } : {}),
  };
}

/** Not Ready or already going: kept, and counted against the pool's budget. */
function unavailable(node: V1Node): string | undefined {
  if (!nodeReady(node)) return 'node is not Ready';
  return disrupting(node) ? 'node is already being disrupted' : undefined;
}

export function classify(
  nodes: readonly V1Node[],
  podsByNode: ReadonlyMap<string, readonly V1Pod[]>,
  pools: readonly PoolView[],
  pdbs: Pdbs,
  /** `ours`: whether Berth launched the node (in a cluster, its instance is Berth's); offline, all are. */
  o: {
    catalog: Catalog;
    now: Date;
    ours?: (node: V1Node) => boolean;
    /** Pods a drain moves surge-first (surge.ts): a PDB does not hold them. */
    surges?: (pod: V1Pod) => boolean;
  },
): Classified {
  const { catalog, ours = () => true } = o;
  const byName = new Map(pools.filter((p) => !p.autoMode).map((p) => [p.name, p]));
  const out: Classified = { candidates: [], kept: [], managed: new Map(), counts: new Map() };
  for (const node of nodes) {
    const pool = byName.get(node.metadata?.labels?.[LABEL.nodePool] ?? '');
    if (!pool || !ours(node)) continue;
    const pods = podsByNode.get(node.metadata?.name ?? '') ?? [];
    const info = infoOf(node, pool, pods, catalog, o.surges);
    out.managed.set(info.name, info);
    const c = out.counts.get(pool.name) ?? { total: 0, disrupting: 0 };
    c.total += 1;
    out.counts.set(pool.name, c);
    const gone = unavailable(node);
    if (gone !== undefined) c.disrupting += 1;
    const reason = gone ?? blockerOf(node, pods, pdbs, o.now, o);
    if (reason !== undefined) out.kept.push({ node: info.name, reason });
    else out.candidates.push(info);
  }
  return out;
}

/**
 * When a Node was created (cached objects are JSON: the time is a string, whatever the client's type
 * says); undefined when it has none.
 */
export function createdAt(node: V1Node): number | undefined {
  const t = new Date(node.metadata?.creationTimestamp ?? Number.NaN).getTime();
  return Number.isNaN(t) ? undefined : t;
}
