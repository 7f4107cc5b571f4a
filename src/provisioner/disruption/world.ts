/**
 * The cluster a disruption decision is simulated on, as data: the nodes and their pods, the pools and
 * the catalog, the decisions under way, and the room kept for pods on their way. The types every layer
 * of the folder reads; the simulation (simulate.ts) and the room (waiting.ts) sit above them.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { DaemonSetShape, ExistingNode } from '../solver/model.js';
import type { PoolOption } from '../solver/pools.js';

/** Waiting pods' room per node name: copies of the pods as if bound there. */
export type Reserved = ReadonlyMap<string, readonly V1Pod[]>;

/** The cluster a decision is simulated on (offline: the files; live: the leader's caches). */
export interface World {
  readonly nodes: readonly V1Node[];
  /** Pods bound to the nodes, by node name. */
  readonly podsByNode: ReadonlyMap<string, readonly V1Pod[]>;
  readonly pools: readonly PoolView[];
  readonly daemonSets: readonly DaemonSetShape[];
  readonly catalog: Catalog;
  /** Names of the nodes a decision launches start with this (unique per decision). */
  readonly namePrefix: string;
  /** The node as the solver sees it (a cache across simulations; default: converted each time). */
  readonly existing?: (node: V1Node) => ExistingNode;
  /** Pools' types and prices across simulations (see SolverInput.poolMemo). */
  readonly poolMemo?: Map<PoolView, PoolOption>;
  /** Enough alternatives to count 15 cheaper types for spot-to-spot (only asked when it is on). */
  readonly alternatives?: number;
  /** Decisions already under way, which every new one is simulated beside (the cluster's controller). */
  readonly inflight?: Inflight;
  /**
   * The room of the pods on their way, per node (waiting.ts): taken on the nodes that stay, and placed
   * again, like the pods that move, when a decision removes the node it is on. Computed when first asked.
   */
  readonly reserved?: () => Reserved;
  /** Nodes under their pool's consolidateAfter: no consolidation moves a pod onto them (settling.ts). */
  readonly settling?: ReadonlySet<string>;
}

/**
 * What earlier decisions still hold (Karpenter's simulation counts the pods of deleting nodes too):
 * the nodes being disrupted, whose pods have yet to move, and the replacements launched for them that
 * have not joined yet, as the nodes they will be.
 */
export interface Inflight {
  readonly nodes: ReadonlySet<string>;
  /** The pods on those nodes that a drain moves. */
  readonly pods: readonly V1Pod[];
  readonly replacements: readonly ExistingNode[];
}
