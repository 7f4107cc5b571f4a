/**
 * What the controller remembers of the decisions it made while they are under way: their nodes
 * (marked before the cache shows it), their planned and launched replacements, what they save. A new
 * leader goes without: the state that matters lives on the Nodes. Pure bookkeeping.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { PlannedNode } from '../solver/model.js';
import { underWay, type UnderWay } from './inflight.js';
import { isConsolidation, turnHolder } from './turns.js';
import type { Decision } from './decision.js';

export interface Made {
  readonly nodes: readonly string[];
  readonly launch: readonly PlannedNode[];
  readonly saved: number;
  readonly at: number;
  readonly method: string;
  /** Its replacements are launched (the cache may not show the nodes' annotation yet). */
  readonly launched?: boolean;
}

/** A decision remembered this long after its nodes stopped showing it (the cache lags the marks). */
const FORGET_MS = 60_000;

export class Ledger {
  private readonly made = new Map<string, Made>();
  private count = 0;

  /** Records a decision made at `now`; its id (the nodes' decision annotation). */
  add(d: Decision, now: number): { key: string; saved: number } {
    this.count += 1;
    const key = `${now.toString(36)}-${this.count.toString(36)}`;
    const saved = d.removedPrice - d.launchPrice - (d.filled?.price ?? 0);
    const nodes = d.remove.map((n) => n.name);
    this.made.set(key, { nodes, launch: d.launch, saved, at: now, method: d.method });
    return { key, saved };
  }

  get(key: string): Made | undefined {
    return this.made.get(key);
  }

  /** Its replacements, as the check planned them, are launched. */
  launched(key: string, launch: readonly PlannedNode[]): void {
    const m = this.made.get(key);
    if (m) this.made.set(key, { ...m, launch, launched: true });
  }

  delete(key: string): void {
    this.made.delete(key);
  }

  /** The replacements of every decision but `except`, planned or launched (or `launchedOnly`). */
  launches(except?: string, launchedOnly = false): PlannedNode[] {
    return [...this.made].flatMap(([key, m]) =>
      key === except || (launchedOnly && m.launched !== true) ? [] : m.launch,
    );
  }

  /** The nodes of decisions whose replacements are launched. */
  launchedNodes(): Set<string> {
    return new Set([...this.made.values()].flatMap((m) => (m.launched === true ? m.nodes : [])));
  }

  /** Their claim names. */
  plannedClaims(): string[] {
    return this.launches().map((p) => p.name);
  }

  /** The nodes of every decision, marked or about to be. */
  marked(): Set<string> {
    return new Set([...this.made.values()].flatMap((m) => m.nodes));
  }

  /** Decisions whose nodes no longer show them (validated, abandoned, the nodes gone) are forgotten. */
  forget(groups: readonly UnderWay[], now: number): void {
    const shown = new Set(groups.map((g) => g.key));
    for (const [key, m] of this.made) if (!shown.has(key) && now - m.at > FORGET_MS) this.made.delete(key);
  }

  /** Replacing consolidations under way: this leader's (planned or launched), and a previous one's launched. */
  replacing(nodes: readonly V1Node[]): number {
    const keys = new Set(
      [...this.made].filter(([, m]) => isConsolidation(m.method) && m.launch.length > 0).map(([k]) => k),
    );
    for (const g of underWay(nodes)) if (isConsolidation(g.method) && g.claims.length > 0) keys.add(g.key);
    return keys.size;
  }

  /**
   * The node whose decision holds the launch turn, other than decision `key` (turns.ts), if any: one
   * whose replacements are launched, or a replacing consolidation made before it that still waits
   * (turns go in the order decisions were made).
   */
  turnTaken(
    nodes: readonly V1Node[],
    podsByNode: ReadonlyMap<string, readonly V1Pod[]>,
    key: string,
  ): string | undefined {
    let before = true;
    for (const [k, m] of this.made) {
      if (k === key) {
        before = false;
        continue;
      }
      const replacing = isConsolidation(m.method) && m.launch.length > 0;
      if (replacing && (m.launched === true || before)) return m.nodes[0] ?? k;
    }
    return turnHolder(nodes, podsByNode, key);
  }
}
