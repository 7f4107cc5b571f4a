/**
 * What the disruption controller is handed (the cluster as its caches show it, the hands that act on
 * it, the clock) and what each round reports.
 */
import type { Eligible } from './eligible.js';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EventSink } from '../../kube/events.js';
import type { Metrics } from '../../observability/metrics.js';
import type { PDB } from '../../policies/view.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { DaemonSetShape } from '../solver/model.js';
import type { Kept } from './candidates.js';
import type { NodeOps } from './node-ops.js';
import type { Launcher } from './replacements.js';
import type { Headed } from './waiting.js';
import type { SurgeView } from './surge.js';

export interface ClusterSource {
  readonly synced: () => boolean;
  readonly nodes: () => readonly V1Node[];
  readonly pods: () => readonly V1Pod[];
  readonly pdbs: () => readonly PDB[];
  readonly pools: () => readonly PoolView[];
  readonly daemonSets: () => readonly DaemonSetShape[];
  readonly catalog: () => Catalog;
  /** When a pod last bound to or left the node (consolidateAfter counts from it). */
  readonly lastPodEvent: (node: string) => Date | undefined;
  /** providerIDs of the instances Berth launched (from the cloud's tags): only those are disrupted. */
  readonly launched: () => Promise<ReadonlySet<string>>;
  /** Where the waiting pods are headed (waiting.ts); without it, each goes where the solver puts it. */
  readonly headed?: Headed;
}

export interface DisruptionDeps {
  readonly cluster: ClusterSource;
  /** Whether disruption runs now: mode berth and provisioner.consolidation.enabled. */
  readonly enabled: () => boolean;
  /**
   * Whether static NodePools are brought down to their count while disruption is off (mode berth):
   * Karpenter's static deprovisioning is no voluntary disruption, and consolidation.enabled does not
   * stop it.
   */
  readonly keepCounts?: () => boolean;
  /** Told, on every seek, how many nodes are eligible by Karpenter's reason (eligible.ts). */
  readonly onEligible?: (counts: Eligible) => void;
  /** consolidateAfter for NodePools that set none (policies.yaml's consolidateAfterSeconds). */
  readonly defaultConsolidateAfterMs: () => number;
  readonly spotToSpot: () => boolean;
  /** The share of the removed nodes' price a replacing consolidation must save, by pool (policies.yaml). */
  readonly minSavings?: (pool: string) => number;
  readonly ops: NodeOps;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
  /** False once the Lease is lost: a decision under validation is left for the next leader. */
  readonly active: () => boolean;
  /** Karpenter's commandValidationDelay: 15 s from the decision (and its replacements Ready). */
  readonly validationMs?: number;
  /**
   * While decisions are under way, how often a round that found nothing seeks again (Karpenter's
   * disruption polling period: 10 s); right after a decision the next round seeks at once.
   */
  readonly seekEveryMs?: number;
  /** Launches replacements; without it only decisions whose pods fit on the other nodes are made. */
  readonly launcher?: Launcher;
  /** How long replacements may take to join and be Ready before the decision is abandoned. */
  readonly joinTimeoutMs?: number;
  /** Why this Node stays for pods on their way to it, if it does (awaited.ts). */
  readonly awaited?: (node: V1Node) => string | undefined;
  /** A seek's search runs in slices of this long, and stops after `seekMs` (slices.ts' defaults). */
  readonly sliceMs?: number;
  readonly seekMs?: number;
  /** Monotonic milliseconds for the slices (default performance.now). */
  readonly monotonic?: () => number;
  /** Single replicas moved surge-first, where policies.yaml turns it on (surge.ts). */
  readonly surge?: SurgeView;
}

export type Outcome =
  | { kind: 'idle'; why: string }
  | { kind: 'draining'; nodes: string[]; evicted: number; blocked: number }
  | { kind: 'terminated'; nodes: string[] }
  | { kind: 'aborted'; nodes: string[]; why: string }
  | { kind: 'decided'; method: string; nodes: string[] }
  /** `after`: a replacing consolidation awaiting its turn to launch, behind this node's. */
  | { kind: 'validating'; method: string; nodes: string[]; after?: string }
  | { kind: 'launching'; method: string; nodes: string[]; claims: string[] }
  | { kind: 'none'; kept: Kept[] };

/**
 * What a round did: its first outcome that moved something (else its last), with `all` of them —
 * each decision under way, the drains, and the seek.
 */
export type RoundOutcome = Outcome & { readonly all: readonly Outcome[] };

const QUIET: ReadonlySet<string> = new Set(['idle', 'none']);

export function summary(all: readonly Outcome[]): RoundOutcome {
  const main = all.find((o) => !QUIET.has(o.kind)) ?? all[all.length - 1] ?? { kind: 'idle', why: '' };
  return { ...main, all };
}
