/**
 * What a disruption method decides, and what it is handed: the types every layer of the folder reads.
 * Below them: the nodes (candidates.ts), the pods and PDBs (pods.ts), the world a decision is
 * simulated on (world.ts); above them, top-down: methods.ts (the order), first-methods.ts and
 * underutilized.ts (the methods), acceptable.ts / filled.ts / limits.ts / node-policy.ts (their rules).
 */
import type { PlannedNode } from '../solver/model.js';
import type { Classified, NodeInfo } from './candidates.js';
import type { Pdbs } from './pods.js';
import type { Score, ScoredMove } from './balanced.js';
import type { World } from './world.js';

export type Method = 'scale-down' | 'expiration' | 'emptiness' | 'drift' | 'multi-node' | 'single-node';

export interface Decision {
  readonly method: Method;
  readonly remove: readonly NodeInfo[];
  readonly launch: readonly PlannedNode[];
  readonly bindings: readonly { pod: string; node: string }[];
  /** USD/h of the nodes removed and of those launched. */
  readonly removedPrice: number;
  readonly launchPrice: number;
  /** Empty nodes its pods land on, which emptiness would have removed (their price is a cost). */
  readonly filled?: Filled;
  /** A consolidation's score in each Balanced NodePool it removes nodes of (all approved). */
  readonly scores?: ReadonlyMap<string, Score>;
}

export interface MethodOptions {
  readonly now: Date;
  /** Spot-to-spot replacement (off by default, as in Karpenter); it needs 15 cheaper types. */
  readonly spotToSpot: boolean;
  /**
   * The share (0–1) of the removed nodes' price a consolidation of a pool's nodes must save when its
   * pods need capacity (policies.yaml minSavingsPercent); none: any saving (Karpenter's).
   */
  readonly minSavings?: (pool: string) => number;
  /** Multi-node consolidation considers this many candidates at most (Karpenter: 100). */
  readonly maxMultiNode?: number;
  /** Only decisions that launch nothing, and why (said of each node a replacement would have taken). */
  readonly deleteOnly?: string;
  /** Consolidations that launch wait, and why (drift and expiration, which must happen, do not). */
  readonly replacing?: string;
  /** Only static NodePools past their count (disruption is off, the counts are kept). */
  readonly countsOnly?: boolean;
  /** In a cluster, the searches stop between simulations once the slice is spent (slices.ts). */
  readonly slices?: SearchState;
  /** Each Balanced move scored (single-node ones, and a multi-node search's result), for metrics. */
  readonly onScored?: (m: ScoredMove) => void;
}

/** Empty nodes a consolidation's pods land on (see filled.ts). */
export interface Filled {
  /** The empty nodes the moved pods would land on (and so keep). */
  readonly nodes: readonly string[];
  /** Their USD/h. */
  readonly price: number;
}

/** Multi-node's binary search over prefix lengths, where it stands. */
export interface PrefixSearch {
  lo: number;
  hi: number;
  best: Decision | undefined;
  /** The last prefix Balanced scoring rejected (counted when the search finds none). */
  rejected?: ScoredMove;
}

/** Where a seek in slices stands, as the searches see it (slices.ts keeps it). */
export interface SearchState {
  /** Multi-node's search, kept between slices; done once its bounds met. */
  multi: PrefixSearch | undefined;
  multiDone: boolean;
  /** Whether the last slice stopped before the search ended. */
  readonly stopped: boolean;
  /** Whether the slice is spent (then the search stops); never before its first simulation. */
  spent(): boolean;
}

/** Why a cluster without a launcher makes only decisions that launch nothing. */
export const NO_LAUNCHER =
  'its pods would need new capacity, and in a cluster Berth so far removes only nodes whose pods fit on the others';

/** Why each candidate single-node consolidation could not take (for `kept`); those are skipped. */
export type Refusals = Map<string, string>;

/** A method that may also refuse candidates (and say why, in `refusals`), as single-node does. */
export type Seek = (
  w: World,
  c: Classified,
  pdbs: Pdbs,
  o: MethodOptions,
  refusals: Refusals,
) => Decision | undefined;
