/**
 * The solver's data: what it is given (pods, nodes, pools, daemonsets, the catalog) and what it answers
 * (a plan). Plain data, so that `berth plan`, the controller and the tests build it the same way.
 */
import type { PoolFinding } from './explain.js';
import type { LimitKey } from '../../scheduling/nodepool.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { LabelSelector } from '../../kube/selector.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { Requirements } from '../../scheduling/requirements.js';
import type { Taint, Toleration } from '../../scheduling/taints.js';
import type { Res } from './resources.js';
import type { PoolOption } from './pools.js';

/** A required inter-pod term or a DoNotSchedule spread constraint, over one topology key. */
export interface TopologyTerm {
  readonly key: string;
  readonly selector: LabelSelector;
  /** Namespaces whose pods count; the pod's own namespace unless the term names others. */
  readonly namespaces: readonly string[];
}

export interface SpreadTerm extends TopologyTerm {
  readonly maxSkew: number;
}

export interface SolverPod {
  /** `namespace/name`. */
  readonly id: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: Res;
  /** Alternatives (OR) of the node selector ∧ required node affinity. */
  readonly terms: readonly Requirements[];
  readonly tolerations: readonly Toleration[];
  readonly spread: readonly SpreadTerm[];
  readonly affinity: readonly TopologyTerm[];
  readonly antiAffinity: readonly TopologyTerm[];
}

/** A pod already bound to a node: it uses resources and counts for topology. */
export interface BoundPod {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: Res;
  readonly antiAffinity?: readonly TopologyTerm[];
}

/** A node that exists (or is being launched: `inFlight`), with what already runs on it. */
export interface ExistingNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly allocatable: Res;
  readonly pods: readonly BoundPod[];
  readonly inFlight: boolean;
  /** USD/h when known (a claim Berth launched); shown, never counted as new spend. */
  readonly pricePerHour?: number;
  /** `aws:///<zone>/<instance-id>` once the kubelet registered it. */
  readonly providerId?: string;
  /** Not schedulable (cordoned, deleting): its pods count, new pods never land on it. */
  readonly unschedulable?: boolean;
  /** Registered, but its Ready condition is not True (yet): a claim's node joins only once Ready. */
  readonly notReady?: boolean;
}

export interface DaemonSetShape {
  readonly name: string;
  readonly requests: Res;
  readonly terms: readonly Requirements[];
  readonly tolerations: readonly Toleration[];
}

/**
 * Replicas of one workload not running yet, all of one shape: `count` pods named `<prefix><from + i>`.
 * A workload's replicas travel as one group and are expanded by the solver, so what asks for many
 * pods costs its caller (the admission process) one pod's worth of work.
 */
export interface ReplicaGroup {
  /** The shape every replica has; its id is the name prefix (`namespace/workload-`). */
  readonly pod: SolverPod;
  readonly from: number;
  readonly count: number;
}

export function expandGroups(groups: readonly ReplicaGroup[]): SolverPod[] {
  const out: SolverPod[] = [];
  for (const g of groups)
    for (let i = 0; i < g.count; i++) out.push({ ...g.pod, id: `${g.pod.id}${g.from + i}` });
  return out;
}

export interface SolverInput {
  readonly pods: readonly SolverPod[];
  /** More pods to plan, as replica groups (after `pods`). */
  readonly groups?: readonly ReplicaGroup[];
  readonly nodes: readonly ExistingNode[];
  /** NodePools Berth may provision for (Auto Mode pools are filtered out by the caller or here). */
  readonly pools: readonly PoolView[];
  readonly daemonSets: readonly DaemonSetShape[];
  readonly catalog: Catalog;
  /** Offerings (type/zone/capacityType) recently short of capacity: not used until they expire. */
  readonly unavailable?: (type: string, zone: string, capacityType: string) => boolean;
  /** What each NodePool's existing nodes already count against its `limits` (capacity, and nodes). */
  readonly poolUsage?: ReadonlyMap<string, Partial<Record<LimitKey, number>>>;
  /** Time the improvement phase may take; 0 for none. */
  readonly budgetMillis?: number;
  /** Milliseconds, monotonic; injected so that tests are deterministic. */
  readonly clock?: () => number;
  /** Prefix of new node names (default `berth-`). */
  readonly namePrefix?: string;
  /** How many cheapest alternative types each new node lists (default 10: the fleet's overrides). */
  readonly alternatives?: number;
  /**
   * Plan the nodes static NodePools lack (default true). A disruption simulation leaves them to the
   * provisioner: a node it removes from a static pool is replaced as Karpenter replaces it, by the
   * next provisioning round.
   */
  readonly keepStatic?: boolean;
  /** Leave out the LP lower bound (0): a disruption simulation only needs the plan. */
  readonly skipBound?: boolean;
  /**
   * How pods with inter-pod constraints are placed: `both` (default) plans with each order below and
   * keeps the better plan; `grow` takes the first node or claim that holds the pod, growing a claim to
   * a larger type; `room` first takes room already paid for (the newest claim that holds the pod as it
   * is), then grows. Which packs better depends on the workload; a disruption simulation uses `grow`.
   */
  readonly placement?: 'both' | 'grow' | 'room';
  /**
   * Each pool's types and prices, kept by the caller across solves over the same catalog, daemonsets,
   * unavailable offerings, usage and node cost (disruption simulates many times on one cluster).
   */
  readonly poolMemo?: Map<PoolView, PoolOption>;
  /**
   * What a node costs beside its instance (policies.yaml provisioner.nodeCost): a per-node price
   * added to each pool's volumes, and the tolerance within which fewer nodes win (default 0 and 0.01).
   */
  readonly nodeCost?: { readonly perNodePerHour: number; readonly preferFewerNodesWithin: number };
}

export interface PlannedNode {
  readonly name: string;
  readonly nodePool: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: string;
  /** The instance's offering price (USD/h). */
  readonly pricePerHour: number;
  /** New nodes: what the node costs beside its instance (its EBS volumes and the per-node cost). */
  readonly nodeCostPerHour?: number;
  readonly existing: boolean;
  readonly pods: string[];
  /** The labels the node will carry (pool template, instance type, zone, capacity type, hostname). */
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** New nodes: the cheapest types that also hold its pods, cheapest first (the fleet's overrides). */
  readonly alternatives: readonly string[];
}

export interface Unschedulable {
  readonly pod: string;
  /** The closest NodePool's reason: the ProvisioningFailed Event's text. */
  readonly reason: string;
  /** Every NodePool Berth provisions for, closest first, with what stops it (`berth why pod`). */
  readonly pools?: readonly PoolFinding[];
}

/** A pod no Berth pool takes and an EKS Auto Mode pool does: EKS launches for it, not Berth. */
export interface ServedByAutoMode {
  readonly pod: string;
  readonly nodePool: string;
}

export interface Plan {
  readonly nodes: PlannedNode[];
  readonly unschedulable: Unschedulable[];
  /** Pods EKS Auto Mode serves (none when the cluster has no Auto Mode pool). */
  readonly servedByAutoMode: ServedByAutoMode[];
  /** Every placement in the order the solver made it (topology is checked in this order). */
  readonly bindings: { pod: string; node: string }[];
  readonly totals: {
    nodes: number;
    pods: number;
    /** The new nodes' instances (USD/h). */
    pricePerHour: number;
    /** The new nodes' costs beside their instances: EBS volumes and the per-node cost (USD/h). */
    nodeCostsPerHour: number;
    solveMillis: number;
  };
  /** LP lower bound on the whole price (instances and node costs) of the new capacity for the pods placed on new nodes. */
  readonly lowerBound: number;
}
