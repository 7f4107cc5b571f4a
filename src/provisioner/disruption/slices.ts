/**
 * A seek in slices. The consolidation searches run on the event loop that the webhook, the gate lifts
 * and the watches share, and at 2,000 nodes single-node consolidation tried a thousand candidates one
 * simulation after another: the loop was held for 425 s, and every review failed open meanwhile. So
 * the searches check the slice between simulations; once it is spent they stop where they are (the
 * binary search keeps its bounds, single-node its refusals), the controller lets the loop run, and the
 * next slice goes on from there. Offline there are no slices: a plan searches to the end.
 */
import type { Classified } from './candidates.js';
import type { Pdbs } from './pods.js';
import type { World } from './world.js';
import type { Decision, MethodOptions, PrefixSearch, Refusals, SearchState } from './decision.js';
import { firstDecision } from './first-methods.js';
import { consolidationDecision } from './underutilized.js';

/** How long a slice runs before the event loop gets its turn (at least one simulation runs). */
export const SLICE_MS = 100;
/** How long one seek searches, in slices, before it stops for the round (Karpenter: 1 and 3 min). */
export const SEEK_MS = 20_000;

/** Why a candidate stays when the search stopped before reaching it. */
export const NOT_REACHED =
  'not consolidated yet: the search stopped before this node; the next rounds go on with it';

export class SeekSlices implements SearchState {
  /** Multi-node's search, kept between slices; done once its bounds met. */
  multi: PrefixSearch | undefined;
  multiDone = false;
  /** Whether the last slice stopped before the search ended. */
  stopped = false;
  private sliceStart = 0;
  private fresh = false;

  constructor(
    private readonly now: () => number,
    private readonly sliceMs: number,
  ) {}

  /** A new slice starts. */
  begin(): void {
    this.stopped = false;
    this.fresh = true;
    this.sliceStart = this.now();
  }

  /** Whether the slice is spent (then the search stops, and says so); never before its first simulation. */
  spent(): boolean {
    if (this.fresh) {
      this.fresh = false;
      return false;
    }
    if (this.now() - this.sliceStart < this.sliceMs) return false;
    this.stopped = true;
    return true;
  }
}

export interface SearchOptions {
  /** Monotonic milliseconds (default performance.now). */
  readonly monotonic?: () => number;
  readonly sliceMs?: number;
  readonly seekMs?: number;
  /** The methods asked (methods.ts's, unless a test counts them). */
  readonly methods?: {
    readonly first: typeof firstDecision;
    readonly consolidation: typeof consolidationDecision;
  };
}

/** Refusals of a seek that stopped early: skipped by the next until the others have been looked at. */
export type Carried = readonly (readonly [string, string])[];

/**
 * One seek's decision, searched in slices with the event loop's turn between them. Expiration,
 * emptiness and drift are asked once, in the first slice: the seek's world does not change between
 * slices, so what they found nothing in then they find nothing in later. Consolidation goes on slice
 * after slice. Stopped after `seekMs`, the largest multi-node prefix found so far is the decision;
 * with none, the candidates not reached stay (NOT_REACHED) and the refusals so far are carried to the
 * next seek, which looks at the others first. A seek that ends carries nothing.
 */
export async function searchInSlices(
  w: World,
  c: Classified,
  pdbs: Pdbs,
  o: MethodOptions,
  s: SearchOptions & { readonly carried: Carried },
): Promise<{ decision: Decision | undefined; refusals: Refusals; carried: Carried }> {
  const now = s.monotonic ?? (() => performance.now());
  const slices = new SeekSlices(now, s.sliceMs ?? SLICE_MS);
  const refusals: Refusals = new Map(s.carried);
  const started = now();
  const methods = s.methods ?? { first: firstDecision, consolidation: consolidationDecision };
  const sliced = { ...o, slices };
  slices.begin();
  const first = methods.first(w, c, pdbs, sliced);
  if (first !== undefined) return { decision: first, refusals, carried: [] };
  // Consolidation goes on in the first methods' slice, then in a slice of its own after each turn.
  for (;;) {
    const decision = methods.consolidation(w, c, pdbs, sliced, refusals);
    if (decision !== undefined || !slices.stopped) return { decision, refusals, carried: [] };
    if (now() - started >= (s.seekMs ?? SEEK_MS)) break;
    await new Promise<void>((resolve) => setImmediate(resolve));
    slices.begin();
  }
  // Out of time in multi-node's search: the largest prefix found so far is cheaper, so it goes, as
  // Karpenter's multi-node consolidation returns the last valid command at its timeout.
  const partial = slices.multi?.best;
  if (partial !== undefined) return { decision: partial, refusals, carried: [] };
  const candidates = new Set(c.candidates.map((n) => n.name));
  const carried = [...refusals].filter(([name]) => candidates.has(name));
  for (const n of c.candidates) if (!refusals.has(n.name)) refusals.set(n.name, NOT_REACHED);
  return { decision: undefined, refusals, carried };
}
