/**
 * The nodes as a seek sees them in the cluster: classified (what keeps each for good), with this
 * leader's decisions and the replacements they await kept out, then the wait for consolidateAfter.
 * Pure.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { classify, type Classified } from './candidates.js';
import { isReplacement, keepOut } from './inflight.js';
import { settled } from './kept.js';
import { eventualCandidates } from './eventual.js';
import type { Pdbs } from './pods.js';
import type { World } from './world.js';

export interface SeekView {
  readonly now: Date;
  /** Whether Berth launched the node (only those are disrupted). */
  readonly ours: (node: V1Node) => boolean;
  /** Nodes of this leader's decisions (kept out even before the cache shows their marks). */
  readonly marked: ReadonlySet<string>;
  /** Replacement claims under way, and the providerIDs of those launched. */
  readonly claims: readonly string[];
  readonly ids: ReadonlyMap<string, string>;
  readonly surges: (pod: V1Pod) => boolean;
  /** Why a node stays for now (pods on their way to it, a replacement's backoff), if it does. */
  readonly awaited: (node: V1Node) => string | undefined;
  readonly lastPodEvent: (node: string) => number | undefined;
  readonly defaultMs: number;
}

export function seekClassified(w: World, pdbs: Pdbs, v: SeekView): Classified {
  const { catalog } = w;
  const c = classify(w.nodes, w.podsByNode, w.pools, pdbs, {
    catalog,
    ours: v.ours,
    now: v.now,
    surges: v.surges,
  });
  // What keeps a node for good is said before the wait for consolidateAfter.
  const kept = keepOut(c, (n) =>
    v.marked.has(n.metadata?.name ?? '')
      ? 'node is already being disrupted'
      : isReplacement(n, v.claims, v.ids)
        ? 'it replaces a node being disrupted, whose pods it awaits'
        : v.awaited(n),
  );
  const drift = eventualCandidates(kept, w, pdbs, v.now);
  return settled(drift, { now: v.now.getTime(), lastPodEvent: v.lastPodEvent, defaultMs: v.defaultMs });
}
