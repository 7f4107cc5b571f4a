/**
 * Disruption in the cluster (Lease holder, `provisioner.mode: berth`): every round, a node being
 * drained is carried on; otherwise the nodes are classified, each node kept gets an Event naming what
 * keeps it, and at most one decision is sought — expiration, emptiness, drift, then multi-node and
 * single-node consolidation — as `berth plan --consolidate` finds them. A decision marks its nodes
 * (taint and annotation: the state lives on the Node, so a new leader finishes the drain), waits the
 * validation delay, checks that it still holds (else unmarks them), then drains through the Eviction
 * API (non-critical before critical, DaemonSet pods last, a 429 retried next round) and terminates.
 * A decision that needs new capacity launches it first and drains only once it is Ready.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EventSink } from '../../kube/events.js';
import type { Metrics } from '../../observability/metrics.js';
import type { PDB } from '../../policies/view.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { DaemonSetShape } from '../solver/model.js';
import { classify, type Classified, type Kept } from './candidates.js';
import { drainStep, pastGrace } from './drainer.js';
import { karpenterDecision, karpenterReason } from './decision-metrics.js';
import { categoryOf, settled, stayReason } from './kept.js';
import { nextDecision, type Decision } from './methods.js';
import {
  DRAINING,
  VALIDATING,
  DISRUPTION_ANNOTATION,
  REPLACEMENTS_ANNOTATION,
  SINCE_ANNOTATION,
} from './marks.js';
import type { NodeOps } from './node-ops.js';
import { claimsOf, notReady, sinceOf, type Launcher } from './replacements.js';
import { pdbStates } from './pods.js';
import type { World } from './simulate.js';
import { stillHolds } from './validation.js';

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
}

export interface DisruptionDeps {
  readonly cluster: ClusterSource;
  /** Whether disruption runs now: mode berth and provisioner.consolidation.enabled. */
  readonly enabled: () => boolean;
  /** consolidateAfter for NodePools that set none (policies.yaml's consolidateAfterSeconds). */
  readonly defaultConsolidateAfterMs: () => number;
  readonly spotToSpot: () => boolean;
  readonly ops: NodeOps;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** False once the Lease is lost: a decision under validation is left for the next leader. */
  readonly active: () => boolean;
  /** Karpenter's commandValidationDelay: 15 s. */
  readonly validationMs?: number;
  /** Launches replacements; without it only decisions whose pods fit on the other nodes are made. */
  readonly launcher?: Launcher;
  /** How long replacements may take to join and be Ready before the decision is abandoned. */
  readonly joinTimeoutMs?: number;
}

export type RoundOutcome =
  | { kind: 'idle'; why: string }
  | { kind: 'draining'; nodes: string[]; evicted: number; blocked: number }
  | { kind: 'terminated'; nodes: string[] }
  | { kind: 'aborted'; nodes: string[]; why: string }
  | { kind: 'decided'; method: string; nodes: string[] }
  | { kind: 'launching'; method: string; nodes: string[]; claims: string[] }
  | { kind: 'none'; kept: Kept[] };

const methodOf = (phase: string | undefined) => (phase ?? '').replace(/^[a-z]+:/, '');

export class DisruptionController {
  private readonly keptReasons = new Map<string, string>();
  /** Node uids by name, so that `kubectl describe node` finds the Events. */
  private readonly uids = new Map<string, string>();

  constructor(private readonly d: DisruptionDeps) {}

  private involved(node: string) {
    const uid = this.uids.get(node);
    return {
      apiVersion: 'v1',
      kind: 'Node',
      name: node,
      namespace: '',
      ...(uid !== undefined ? { uid } : {}),
    };
  }

  private world(): World {
    const c = this.d.cluster;
    const podsByNode = new Map<string, V1Pod[]>();
    for (const p of c.pods()) {
      const n = p.spec?.nodeName;
      if (n !== undefined) podsByNode.set(n, [...(podsByNode.get(n) ?? []), p]);
    }
    return {
      nodes: c.nodes(),
      podsByNode,
      pools: c.pools(),
      daemonSets: c.daemonSets(),
      catalog: c.catalog(),
      // Claims of replacements: unique per round, like the provisioner's (`berth-<time>-…`).
      namePrefix: `berth-${this.d.clock().getTime().toString(36)}-d-`,
    };
  }

  /** One round; the caller runs rounds one after another (every 10 s, and sooner while draining). */
  async round(): Promise<RoundOutcome> {
    if (!this.d.cluster.synced()) return { kind: 'idle', why: 'caches not synced' };
    const w = this.world();
    for (const n of w.nodes)
      if (n.metadata?.uid !== undefined) this.uids.set(n.metadata.name ?? '', n.metadata.uid);
    const phase = (n: V1Node) => n.metadata?.annotations?.[DISRUPTION_ANNOTATION];
    const validating = w.nodes.filter((n) => phase(n)?.startsWith(VALIDATING) === true);
    // Turned off: nothing new is decided and a decision not yet validated is undone, but a drain under
    // way is finished (its pods are already going; a node left tainted and half drained helps no one).
    if (!this.d.enabled()) return this.off(w, validating, phase);
    // A decision not validated yet (this leader's or the previous one's): its replacements first,
    // then the delay, then the check.
    const first = validating[0];
    if (first) {
      const method = methodOf(phase(first));
      const claims = claimsOf(first);
      const ids = claims.length > 0 ? await this.d.launcher?.providerIds(claims) : undefined;
      const waiting = notReady(claims, w.nodes, ids);
      if (waiting.length === 0) return this.validate(validating, method, true);
      const since = sinceOf(first) ?? 0;
      if (this.d.clock().getTime() - since < (this.d.joinTimeoutMs ?? 900_000))
        return {
          kind: 'launching',
          method,
          nodes: validating.map((n) => n.metadata?.name ?? ''),
          claims: waiting,
        };
      return this.abandon(
        validating,
        method,
        `replacements ${waiting.join(', ')} did not join and become Ready in time`,
      );
    }
    const draining = w.nodes.filter((n) => phase(n)?.startsWith(DRAINING) === true);
    if (draining.length > 0) return this.drain(w, draining);
    return this.seek(w);
  }

  private async off(
    w: World,
    validating: readonly V1Node[],
    phase: (n: V1Node) => string | undefined,
  ): Promise<RoundOutcome> {
    const first = validating[0];
    if (first) return this.abandon(validating, methodOf(phase(first)), 'disruption was turned off');
    const draining = w.nodes.filter((n) => phase(n)?.startsWith(DRAINING) === true);
    if (draining.length > 0) return this.drain(w, draining);
    return { kind: 'idle', why: 'disruption is off (provisioner.mode or consolidation.enabled)' };
  }

  private async drain(w: World, nodes: readonly V1Node[]): Promise<RoundOutcome> {
    const now = this.d.clock();
    let evicted = 0;
    let blocked = 0;
    const finished: V1Node[] = [];
    const pdbs = pdbStates(this.d.cluster.pdbs(), this.d.cluster.pods());
    const pdbOf = (pod: V1Pod) => pdbs.over(pod)[0]?.id;
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      const forced = pastGrace(node, w.pools, sinceOf(node), now);
      const o = { node: name, now, forced, pdbOf };
      const step = await drainStep(this.d.ops, this.d.metrics, w.podsByNode.get(name) ?? [], o);
      if (step.done) finished.push(node);
      evicted += step.evicted;
      blocked += step.blocked;
    }
    for (const node of finished) {
      const name = node.metadata?.name ?? '';
      await this.d.ops.terminate(node);
      this.d.metrics.nodesDisrupted.inc({
        method: methodOf(node.metadata?.annotations?.[DISRUPTION_ANNOTATION]),
      });
      this.d.events.emit({
        involved: this.involved(name),
        type: 'Normal',
        reason: 'Disrupted',
        message: 'drained; instance terminated and Node deleted',
      });
      this.d.logger.info({ node: name }, 'node disrupted');
    }
    const names = (xs: readonly V1Node[]) => xs.map((n) => n.metadata?.name ?? '');
    if (finished.length === nodes.length) return { kind: 'terminated', nodes: names(finished) };
    return { kind: 'draining', nodes: names(nodes), evicted, blocked };
  }

  private settle(c: Classified): Classified {
    return settled(c, {
      now: this.d.clock().getTime(),
      lastPodEvent: (node) => this.d.cluster.lastPodEvent(node)?.getTime(),
      defaultMs: this.d.defaultConsolidateAfterMs(),
    });
  }

  private report(kept: readonly Kept[]): void {
    const byCategory = new Map<string, number>();
    for (const k of kept) {
      const category = categoryOf(k.reason);
      byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
      if (this.keptReasons.get(k.node) === k.reason) continue;
      this.keptReasons.set(k.node, k.reason);
      this.d.logger.info({ node: k.node, reason: k.reason }, 'node kept');
      this.d.events.emit({
        involved: this.involved(k.node),
        type: 'Normal',
        reason: 'DisruptionBlocked',
        message: k.reason,
      });
    }
    this.d.metrics.nodesKept.reset();
    for (const [reason, n] of byCategory) this.d.metrics.nodesKept.set({ reason }, n);
  }

  private async seek(w: World): Promise<RoundOutcome> {
    const pdbs = pdbStates(this.d.cluster.pdbs(), this.d.cluster.pods());
    const launched = await this.d.cluster.launched();
    const ours = (n: V1Node) => launched.has(n.spec?.providerID ?? '');
    const c = this.settle(classify(w.nodes, w.podsByNode, w.pools, pdbs, { catalog: w.catalog, ours }));
    const o = {
      now: this.d.clock(),
      spotToSpot: this.d.spotToSpot(),
      deleteOnly: this.d.launcher === undefined,
    };
    const refusals = new Map<string, string>();
    const decision = nextDecision(w, c, pdbs, o, refusals);
    // With no decision every candidate stays, each for a reason (its budget, consolidateAfter: Never,
    // no cheaper placement…); while one goes, only the refused ones are known to stay.
    const staying = decision ? c.candidates.filter((n) => refusals.has(n.name)) : c.candidates;
    const kept = [
      ...c.kept,
      ...staying.map((n) => ({ node: n.name, reason: stayReason(n, c, refusals, o.now) })),
    ];
    this.report(kept);
    if (!decision) return { kind: 'none', kept };
    return this.commit(decision);
  }

  /**
   * Marks the nodes. Without replacements the decision is validated after the delay at once; with
   * them, they are launched first and later rounds wait until they are Ready (Karpenter's pre-spin).
   */
  private async commit(decision: Decision): Promise<RoundOutcome> {
    const names = decision.remove.map((n) => n.name);
    const claims = decision.launch.map((n) => n.name);
    const extra = claims.length > 0 ? { [REPLACEMENTS_ANNOTATION]: claims.join(',') } : {};
    const since = { [SINCE_ANNOTATION]: this.d.clock().toISOString() };
    for (const n of decision.remove)
      await this.d.ops.mark(n.node, `${VALIDATING}${decision.method}`, { ...extra, ...since });
    this.d.metrics.disruptionDecisions.inc({ method: decision.method, result: 'started' });
    karpenterDecision(this.d.metrics, decision);
    const saved = decision.removedPrice - decision.launchPrice;
    this.d.logger.info(
      { method: decision.method, nodes: names, replacements: claims, savedPerHour: saved },
      'disruption decided',
    );
    if (claims.length === 0)
      return this.validate(
        decision.remove.map((n) => n.node),
        decision.method,
        true,
        saved,
      );
    try {
      for (const p of decision.launch) await this.d.launcher?.launch(p, karpenterReason(decision.method));
    } catch (e) {
      // Those launched before the failure are terminated with the decision.
      return this.abandon(
        decision.remove.map((n) => n.node),
        decision.method,
        `a replacement did not launch: ${String(e)}`,
        claims,
      );
    }
    this.d.metrics.savedPerHour.inc(saved);
    return { kind: 'launching', method: decision.method, nodes: names, claims };
  }

  /** Unmarks the nodes, terminates their replacements, and says why on each node. */
  private async abandon(
    nodes: readonly V1Node[],
    method: string,
    why: string,
    launched: readonly string[] = [],
  ): Promise<RoundOutcome> {
    const names = nodes.map((n) => n.metadata?.name ?? '');
    const claims = [...new Set([...launched, ...nodes.flatMap(claimsOf)])];
    for (const n of this.world().nodes.filter((x) => names.includes(x.metadata?.name ?? '')))
      await this.d.ops.unmark(n);
    if (claims.length > 0) await this.d.launcher?.cancel(claims);
    this.d.metrics.disruptionDecisions.inc({ method, result: 'aborted' });
    for (const name of names)
      this.d.events.emit({
        involved: this.involved(name),
        type: 'Normal',
        reason: 'DisruptionAborted',
        message: `not disrupted: ${why}`,
      });
    return { kind: 'aborted', nodes: names, why };
  }

  /**
   * After the validation delay, the decision still holds (nodes there, nothing blocks them, their
   * pods fit on the others): the drain may start. Otherwise the nodes are unmarked.
   */
  private async validate(
    nodes: readonly V1Node[],
    method: string,
    wait: boolean,
    saved?: number,
  ): Promise<RoundOutcome> {
    const names = nodes.map((n) => n.metadata?.name ?? '');
    if (wait) await this.d.sleep(this.d.validationMs ?? 15_000);
    if (!this.d.active())
      return { kind: 'aborted', nodes: names, why: 'the Lease was lost; the next leader validates' };
    // Expiration is forceful: what blocks the node does not stop it (its drain still waits, bounded
    // by terminationGracePeriod).
    const why =
      method === 'expiration'
        ? nodes.length > 0
          ? undefined
          : 'the node is gone'
        : stillHolds(this.world(), names, pdbStates(this.d.cluster.pdbs(), this.d.cluster.pods()));
    if (why !== undefined) return this.abandon(nodes, method, why);
    const current = this.world().nodes.filter((x) => names.includes(x.metadata?.name ?? ''));
    for (const n of current) await this.d.ops.mark(n, `${DRAINING}${method}`);
    if (saved !== undefined) this.d.metrics.savedPerHour.inc(saved);
    for (const name of names)
      this.d.events.emit({
        involved: this.involved(name),
        type: 'Normal',
        reason: 'Disrupting',
        message: `${method}: draining${saved !== undefined ? `; saves $${saved.toFixed(4)}/h` : ''}`,
      });
    return { kind: 'decided', method, nodes: names };
  }
}
