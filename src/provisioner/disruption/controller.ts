/**
 * Disruption in the cluster (Lease holder, `provisioner.mode: berth`). Every round carries on each
 * decision under way (its replacements join, the validation delay passes, the check) and every drain,
 * then seeks one more beside them, as `berth plan --consolidate` finds it: static pools past their
 * count, expiration, emptiness, drift, multi-node and single-node consolidation, each node kept getting
 * an Event naming what keeps it. A decision marks its nodes (taint and annotations: a new leader
 * finishes it), launches the capacity it needs and, once that is Ready and the delay has passed,
 * checks that it still holds, then drains through the Eviction API (a 429 retried next round) and
 * terminates. Budgets count the nodes being disrupted; PDBs are the API server's to enforce.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { moveOf } from './surge.js';
import { drainNodes, eachNode, nodeRef } from './drain-nodes.js';
import type { InvolvedObject } from '../../kube/events.js';
import { disruptedContext, drainStarted, karpenterDecided, karpenterReason } from './decision-metrics.js';
import { firstAwaited } from './awaited.js';
import { stayReason } from './kept.js';
import { KeptReport } from './kept-report.js';
import { scoredReporter } from './scored.js';
import { searchInSlices, type Carried } from './slices.js';
import {
  DECISION_ANNOTATION,
  DRAINING,
  VALIDATING,
  isDraining,
  REPLACEMENTS_ANNOTATION,
  SINCE_ANNOTATION,
} from './marks.js';
import { claimsOf, notReady, sinceOf } from './replacements.js';
import { isConsolidation, pacedMethod, TURN_TIMEOUT_MS, inValidationDelay } from './turns.js';
import { Ledger } from './ledger.js';
import { eligibleCounts } from './eligible.js';
import { pdbStates } from './pods.js';
import { seekClassified } from './seek-view.js';
import { ReplacementBackoff } from './backoff.js';
import { liveWorld } from './live-world.js';
import { recheck } from './validation.js';
import {
  aheadOnly,
  launchLimits,
  idleClaims,
  replacementClaims,
  replacementIdsOf,
  underWay,
  type UnderWay,
} from './inflight.js';
import type { PlannedNode } from '../solver/model.js';
import { summary, type DisruptionDeps, type Outcome, type RoundOutcome } from './round.js';
import type { World } from './world.js';
import type { Decision } from './decision.js';

export type { ClusterSource, DisruptionDeps, Outcome, RoundOutcome } from './round.js';

const namesOf = (nodes: readonly V1Node[]): string[] => nodes.map((n) => n.metadata?.name ?? '');

export class DisruptionController {
  /** Node uids by name, so that `kubectl describe node` finds the Events. */
  private readonly uids = new Map<string, string>();
  /** The decisions this leader made, while they are under way. */
  private readonly made = new Ledger();
  /** When the last seek found nothing (ms); undefined after one that decided. */
  private quietSince: number | undefined;
  /** Nodes (uids) this leader terminated that the cache may still show. */
  private readonly ended = new Set<string>();

  private readonly kept: KeptReport;
  /** Nodes whose replacement failed wait before the next try. */
  private readonly backoff = new ReplacementBackoff();
  /** Each pod's surge-first note as last told (drain-nodes.ts). */
  private readonly surgeTold = new Map<string, string>();
  /** Whether a drain moves the pod surge-first (no PDB holds it then). */
  private readonly surges = (pod: V1Pod): boolean =>
    this.d.surge !== undefined && moveOf(pod, this.d.surge).kind === 'surge';
  /** Single-node refusals of a seek that stopped before its end: the next one looks at the others first. */
  private carried: Carried = [];

  constructor(private readonly d: DisruptionDeps) {
    this.kept = new KeptReport({ ...d, involved: (n) => this.involved(n) });
  }

  private involved(node: string): InvolvedObject {
    return nodeRef(node, this.uids.get(node));
  }

  /** The same Normal Event on each node. */
  private tell(names: readonly string[], reason: string, message: string): void {
    for (const name of names)
      this.d.events.emit({ involved: this.involved(name), type: 'Normal', reason, message });
  }

  /**
   * The cluster as the simulations see it, beside the decisions under way (but `except`'s launches);
   * with `ahead`, only beside those that have launched or drain (inflight.ts: aheadOnly).
   */
  private world(providerIds: ReadonlyMap<string, string> = new Map(), except?: string, ahead = false): World {
    const w = liveWorld(this.d, this.made.launches(except, ahead), providerIds);
    return ahead ? aheadOnly(w, this.made.launchedNodes()) : w;
  }

  /**
   * One round; the caller runs rounds one after another (every 10 s, and every second while anything
   * is under way).
   */
  async round(): Promise<RoundOutcome> {
    if (!this.d.cluster.synced()) return summary([{ kind: 'idle', why: 'caches not synced' }]);
    const nodes = this.d.cluster.nodes();
    const ids = await replacementIdsOf(nodes, this.d.launcher);
    const w = this.world(ids);
    for (const n of w.nodes)
      if (n.metadata?.uid !== undefined) this.uids.set(n.metadata.name ?? '', n.metadata.uid);
    const groups = underWay(w.nodes);
    // A node terminated a moment ago may still be in the cache: its drain is over.
    const draining = w.nodes.filter(
      (n) => isDraining(n) && !this.ended.has(n.metadata?.uid ?? n.metadata?.name ?? ''),
    );
    // Turned off: nothing new is decided and a decision not yet validated is undone, but a drain under
    // way is finished (its pods are already going; a node left tainted and half drained helps no one).
    const on = this.d.enabled();
    const countsOnly = !on && (this.d.keepCounts?.() ?? false);
    if (!on && !countsOnly) return summary(await this.off(w, groups, draining));
    this.forget(groups, w.nodes);
    const all: Outcome[] = [];
    for (const g of groups) all.push(await this.carryOn(w, g, ids));
    if (draining.length > 0) all.push(...(await this.drain(w, draining)));
    const joining = groups.flatMap((g) => notReady(g.claims, w.nodes, ids));
    if (this.maySeek(groups, draining.length > 0, joining)) all.push(await this.seek(ids, countsOnly));
    return summary(all);
  }

  /** Decisions whose nodes no longer show them are forgotten; so are terminated nodes the cache dropped. */
  private forget(groups: readonly UnderWay[], nodes: readonly V1Node[]): void {
    this.made.forget(groups, this.d.clock().getTime());
    const present = new Set(nodes.map((n) => n.metadata?.uid ?? n.metadata?.name ?? ''));
    for (const key of this.ended) if (!present.has(key)) this.ended.delete(key);
    this.backoff.keepOnly(new Set(namesOf(nodes)));
  }

  /**
   * Whether to seek one more decision now: with nothing under way, or right after a check, else every
   * `seekEveryMs` — never while a consolidation waits out its validation delay (turns.ts), nor while a
   * previous leader's replacements are joining: the room they bring is not known here.
   */
  private maySeek(groups: readonly UnderWay[], draining: boolean, joining: readonly string[]): boolean {
    if (groups.length === 0 && !draining) return true;
    const now = this.d.clock().getTime();
    if (inValidationDelay(groups, now, this.d.validationMs ?? 15_000)) return false;
    const known = new Set(this.made.plannedClaims());
    if (joining.some((c) => !known.has(c))) return false;
    const quiet = this.quietSince;
    return quiet === undefined || now - quiet >= (this.d.seekEveryMs ?? 10_000);
  }

  /**
   * A decision under way: the delay passes, then the check, which launches its replacements (or it
   * is abandoned); once they are Ready, the drain starts.
   */
  private async carryOn(w: World, g: UnderWay, ids: ReadonlyMap<string, string>): Promise<Outcome> {
    const names = namesOf(g.nodes);
    const now = this.d.clock().getTime();
    const since = g.since ?? 0;
    if (g.claims.length > 0) {
      const waiting = notReady(g.claims, w.nodes, ids);
      if (waiting.length === 0) return this.startDrain(g.nodes, g.method, g.key);
      if (now - since < (this.d.joinTimeoutMs ?? 900_000))
        return { kind: 'launching', method: g.method, nodes: names, claims: waiting };
      const why = `replacements ${waiting.join(', ')} did not join and become Ready in time`;
      return this.replacementFailed(g, why);
    }
    if (now - since < (this.d.validationMs ?? 15_000))
      return { kind: 'validating', method: g.method, nodes: names };
    return this.validate(g.nodes, g.method, g.key);
  }

  private async off(w: World, groups: readonly UnderWay[], draining: readonly V1Node[]): Promise<Outcome[]> {
    const all: Outcome[] = [];
    for (const g of groups)
      all.push(await this.abandon(g.nodes, g.method, 'disruption was turned off', [], g.key));
    if (draining.length > 0) all.push(...(await this.drain(w, draining)));
    if (all.length === 0)
      all.push({ kind: 'idle', why: 'disruption is off (provisioner.mode or consolidation.enabled)' });
    return all;
  }

  private async drain(w: World, nodes: readonly V1Node[]): Promise<Outcome[]> {
    const { ops, metrics, events, logger, clock } = this.d;
    const pdbs = pdbStates(this.d.cluster.pdbs(), this.d.cluster.pods());
    const surge = this.d.surge ? { surge: { view: this.d.surge, told: this.surgeTold } } : {};
    const hands = { ops, metrics, events, logger, involved: (n: string) => this.involved(n), ...surge };
    const out = await drainNodes(hands, w, nodes, { now: clock(), pdbs });
    const gone = new Set(out.flatMap((o) => (o.kind === 'terminated' ? o.nodes : [])));
    for (const n of nodes)
      if (gone.has(n.metadata?.name ?? '')) this.ended.add(n.metadata?.uid ?? n.metadata?.name ?? '');
    return out;
  }

  private async seek(ids: ReadonlyMap<string, string>, countsOnly = false): Promise<Outcome> {
    const w = this.world(ids);
    const pdbs = pdbStates(this.d.cluster.pdbs(), this.d.cluster.pods());
    const launched = await this.d.cluster.launched();
    const now = this.d.clock();
    const c = seekClassified(w, pdbs, {
      now,
      ours: (n) => launched.has(n.spec?.providerID ?? ''),
      marked: this.made.marked(),
      claims: [...replacementClaims(w.nodes), ...this.made.plannedClaims()],
      ids,
      surges: this.surges,
      awaited: (n) => this.backoff.waiting(n.metadata?.name ?? '', now.getTime()) ?? this.d.awaited?.(n),
      lastPodEvent: (node) => this.d.cluster.lastPodEvent(node)?.getTime(),
      defaultMs: this.d.defaultConsolidateAfterMs(),
    });
    this.d.onEligible?.(eligibleCounts(c));
    const o = {
      now,
      countsOnly,
      spotToSpot: this.d.spotToSpot(),
      ...(this.d.minSavings ? { minSavings: this.d.minSavings } : {}),
      onScored: scoredReporter({ ...this.d, involved: (n) => this.involved(n) }),
      ...launchLimits(this.d.launcher !== undefined, this.made.replacing(w.nodes)),
    };
    const search = { ...this.d, carried: this.carried };
    const { decision, refusals, carried } = await searchInSlices(w, c, pdbs, o, search);
    this.carried = carried;
    // With no decision every candidate stays, each for a reason (its budget, consolidateAfter: Never,
    // no cheaper placement…); while one goes, only the refused ones are known to stay.
    const staying = decision ? c.candidates.filter((n) => refusals.has(n.name)) : c.candidates;
    const kept = [
      ...c.kept,
      ...staying.map((n) => ({ node: n.name, reason: stayReason(n, c, refusals, o.now, w.reserved?.()) })),
    ];
    this.kept.report(kept);
    if (!decision) {
      this.quietSince ??= o.now.getTime();
      return { kind: 'none', kept };
    }
    this.quietSince = undefined;
    return this.commit(decision);
  }

  /**
   * Marks the nodes with the decision; later rounds check it once the validation delay has passed
   * (at once with no delay), and only then launch its replacements, as Karpenter does.
   */
  private async commit(decision: Decision): Promise<Outcome> {
    const names = decision.remove.map((n) => n.name);
    const now = this.d.clock();
    const { key, saved } = this.made.add(decision, now.getTime());
    const marks = { [SINCE_ANNOTATION]: now.toISOString(), [DECISION_ANNOTATION]: key };
    const [phase, taint] = [`${VALIDATING}${decision.method}`, !pacedMethod(decision.method)];
    await eachNode(decision.remove, (n) => this.d.ops.mark(n.node, phase, marks, taint));
    this.d.metrics.disruptionDecisions.inc({ method: decision.method, result: 'started' });
    this.d.logger.info(
      {
        method: decision.method,
        nodes: names,
        replacements: decision.launch.map((p) => p.instanceType),
        savedPerHour: saved,
      },
      'disruption decided',
    );
    const removed = decision.remove.map((n) => n.node);
    if ((this.d.validationMs ?? 15_000) <= 0) return this.validate(removed, decision.method, key);
    return { kind: 'validating', method: decision.method, nodes: names };
  }

  /** Launches the replacements the check planned, recorded on the nodes; later rounds wait for them Ready. */
  private async launch(
    nodes: readonly V1Node[],
    method: string,
    key: string,
    launch: readonly PlannedNode[],
  ): Promise<Outcome> {
    const names = namesOf(nodes);
    const claims = launch.map((p) => p.name);
    this.made.launched(key, launch);
    await eachNode(nodes, (n) =>
      this.d.ops.mark(n, `${VALIDATING}${method}`, { [REPLACEMENTS_ANNOTATION]: claims.join(',') }),
    );
    try {
      for (const p of launch) await this.d.launcher?.launch(p, karpenterReason(method));
    } catch (e) {
      // Those launched before the failure are terminated with the decision.
      return this.replacementFailed(
        { nodes, method, key },
        `a replacement did not launch: ${String(e)}`,
        claims,
      );
    }
    return { kind: 'launching', method, nodes: names, claims };
  }

  /** A replacement failed: the decision is abandoned and its nodes wait before the next try (backoff.ts). */
  private async replacementFailed(
    d: Pick<UnderWay, 'nodes' | 'method' | 'key'>,
    why: string,
    launched: readonly string[] = [],
  ): Promise<Outcome> {
    const wait = this.backoff.failed(namesOf(d.nodes), why, this.d.clock().getTime());
    return this.abandon(d.nodes, d.method, `${why}; tried again in ${wait / 1000}s`, launched, d.key);
  }

  /** Unmarks the nodes, terminates their replacements, and says why on each node. */
  private async abandon(
    nodes: readonly V1Node[],
    method: string,
    why: string,
    launched: readonly string[],
    key: string,
  ): Promise<Outcome> {
    this.made.delete(key);
    const names = namesOf(nodes);
    const claims = [...new Set([...launched, ...nodes.flatMap(claimsOf)])];
    const marked = this.d.cluster.nodes().filter((x) => names.includes(x.metadata?.name ?? ''));
    await eachNode(marked, (n) => this.d.ops.unmark(n));
    const ids = claims.length > 0 ? await this.d.launcher?.providerIds(claims) : undefined;
    const idle = idleClaims(claims, this.d.cluster.nodes(), this.d.cluster.pods(), ids);
    if (idle.length > 0) await this.d.launcher?.cancel(idle);
    this.d.metrics.disruptionDecisions.inc({ method, result: 'aborted' });
    this.tell(names, 'DisruptionAborted', `not disrupted: ${why}`);
    return { kind: 'aborted', nodes: names, why };
  }

  /**
   * After the validation delay, the decision still holds (nodes there, nothing blocks them, their
   * pods fit on the other nodes beside the decisions under way, or on the new capacity a replacing
   * decision launches now): the drain may start once that capacity is Ready. Otherwise the nodes are
   * unmarked.
   */
  private async validate(nodes: readonly V1Node[], method: string, key: string): Promise<Outcome> {
    const names = namesOf(nodes);
    if (!this.d.active())
      return { kind: 'aborted', nodes: names, why: 'the Lease was lost; the next leader validates' };
    // Its own replacements are planned afresh: they are not capacity it can count on yet.
    const consolidation = isConsolidation(method);
    const w = this.world(await replacementIdsOf(this.d.cluster.nodes(), this.d.launcher), key, consolidation);
    const planned = this.made.get(key)?.launch ?? [];
    // A replacing consolidation launches in its turn; it is checked again only then.
    const turn = consolidation ? this.made.turnTaken(w.nodes, w.podsByNode, key) : undefined;
    if (turn !== undefined && planned.length > 0) return this.awaitTurn(nodes, method, key, turn);
    const nominated = firstAwaited(nodes, this.d.awaited);
    if (nominated !== undefined) return this.abandon(nodes, method, nominated, [], key);
    const r = recheck(w, names, pdbStates(this.d.cluster.pdbs(), this.d.cluster.pods()), {
      forceful: method === 'expiration',
      mayLaunch: this.d.launcher !== undefined && (!consolidation || planned.length > 0),
      consolidation,
      empty: method === 'emptiness',
      now: this.d.clock(),
      surges: this.surges,
      drift: method === 'drift',
    });
    if (!r.ok) return this.abandon(nodes, method, r.why, [], key);
    if (r.launch.length > 0 && turn !== undefined) return this.awaitTurn(nodes, method, key, turn);
    karpenterDecided(this.d.metrics, method, r.launch.length > 0, nodes);
    return r.launch.length > 0
      ? this.launch(nodes, method, key, r.launch)
      : this.startDrain(nodes, method, key);
  }

  /** A replacing consolidation validated while another holds the turn: it waits (bounded), marked. */
  private awaitTurn(nodes: readonly V1Node[], method: string, key: string, holder: string): Promise<Outcome> {
    const names = namesOf(nodes);
    const since = sinceOf(nodes[0] as V1Node) ?? this.made.get(key)?.at ?? this.d.clock().getTime();
    const late = `its turn to launch did not come within ${TURN_TIMEOUT_MS / 1000}s`;
    if (this.d.clock().getTime() - since > TURN_TIMEOUT_MS) return this.abandon(nodes, method, late, [], key);
    return Promise.resolve({ kind: 'validating', method, nodes: names, after: holder });
  }

  /** The decision holds and its capacity is Ready: the nodes are drained from the next round on. */
  private async startDrain(nodes: readonly V1Node[], method: string, key: string): Promise<Outcome> {
    const names = namesOf(nodes);
    const saved = this.made.get(key)?.saved;
    this.backoff.succeeded(names);
    this.made.delete(key);
    const current = this.d.cluster.nodes().filter((x) => names.includes(x.metadata?.name ?? ''));
    await eachNode(current, (n) => this.d.ops.mark(n, `${DRAINING}${method}`));
    const ctx = disruptedContext(this.d.cluster.pools(), this.d.cluster.pods());
    const cost = drainStarted(this.d.metrics, method, current, ctx, saved);
    this.tell(names, 'Disrupting', `${method}: draining${cost}`);
    return { kind: 'decided', method, nodes: names };
  }
}
