/**
 * The NodeClaim lifecycle (leader, mode `berth`), one round at a time, as Karpenter's lifecycle,
 * termination and garbage-collection controllers: each claim's status follows its instance and Node;
 * a claim whose launch was never recorded adopts the instance tagged with its name, or is deleted when
 * the leader that created it stopped before launching; a deleted claim (or Node) is drained through
 * disruption's drainer, its instance terminated, then its finalizers removed; a launched claim whose
 * instance is gone is deleted; an instance of Berth's with no claim is terminated after a grace.
 * Everything it touches is passed in.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { eachLimited } from '../../util/limited.js';
import type { EventSink } from '../../kube/events.js';
import type { Instance } from '../cloud/provider.js';
import {
  nodeReady,
  observed,
  sameConditions,
  withTransitions,
  type DisruptionSignals,
} from './conditions.js';
import { involvedClaim, type ClaimLauncher } from './launcher.js';
import { conditionOf, isTrue, TERMINATION_FINALIZER, type ClaimCondition, type NodeClaim } from './object.js';
import { StatusDeferral } from './deferral.js';
import { discard, type ClaimStore } from './store.js';
import { terminationStep, type TerminationOps } from './termination.js';

/** Karpenter's grace before an instance without a claim, or a claim without an instance, is collected. */
export const GC_GRACE_MS = 30_000;

export interface LifecycleDeps {
  readonly claims: ClaimStore;
  readonly nodes: () => readonly V1Node[];
  /**
   * The instances the cloud says this cluster launched (pending or running): a list a few seconds old
   * will do, unless `fresh`.
   */
  readonly instances: (fresh?: boolean) => Promise<readonly Instance[]>;
  /** Records an adopted instance on its claim, and gives one from before NodeClaims a claim. */
  readonly launcher: Pick<ClaimLauncher, 'record' | 'adopt'>;
  /** Whether this process is launching the claim right now (its status is written when that returns). */
  readonly launching: (claim: string) => boolean;
  /** What disruption knows of a claim's Node: drift, consolidatable, a drain under way. */
  readonly signals: (node: V1Node) => DisruptionSignals;
  readonly ops: TerminationOps;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly onGarbage?: (kind: 'claim' | 'instance') => void;
  /** A claim disrupted involuntarily, with Karpenter's reason (`garbage_collected`, `launch_timeout`). */
  readonly onDisrupted?: (claim: NodeClaim, reason: string) => void;
  /** Claims reconciled at once in a round (CLAIM_CONCURRENCY). */
  readonly concurrency?: number;
  /**
   * Whether pods wait on the API server now (gated, or let through and not yet bound): claims'
   * status and their Nodes' finalizers are then written later, up to DEFER_MS (deferral.ts).
   */
  readonly podsWaiting?: () => boolean;
}

/**
 * How long a claim's status and its Node's finalizer wait while pods do. A 1,000-pod scale-out on kwok
 * lifted its gates and had its pods bound over ~15 s, with ~630 of these writes among them.
 */
export const DEFER_MS = 20_000;

/**
 * Claims a round reconciles at once. One after another, a round of 2,000 claims whose status each
 * took a write of ~0.5 s at a busy API server lasted ~20 minutes, and the Nodes disruption had
 * drained waited that long for their claim's termination step.
 */
export const CLAIM_CONCURRENCY = 16;

export interface LifecycleRound {
  readonly updated: string[];
  readonly adopted: string[];
  readonly abandoned: string[];
  readonly terminating: string[];
  readonly collected: string[];
  readonly orphans: string[];
}

const age = (now: Date, at: string | undefined) =>
  at === undefined ? Infinity : now.getTime() - Date.parse(at);

export class NodeClaimLifecycle {
  private readonly deferral = new StatusDeferral(DEFER_MS);

  constructor(private readonly d: LifecycleDeps) {}

  async round(): Promise<LifecycleRound> {
    const now = this.d.clock();
    const busy = this.d.podsWaiting?.() === true;
    let instances = await this.d.instances();
    const claims = this.d.claims.list();
    // A claim being deleted whose instance the list does not show may have launched since it was
    // taken: ask the cloud again before calling the instance gone (its Node would go undrained).
    if (claims.some((c) => c.metadata.deletionTimestamp !== undefined && unlisted(c, instances)))
      instances = await this.d.instances(true);
    const byProvider = new Map(instances.map((i) => [i.providerId, i]));
    const nodeOf = new Map(
      this.d.nodes().map((n) => [n.spec?.providerID ?? `name:${n.metadata?.name ?? ''}`, n]),
    );
    const out: LifecycleRound = {
      updated: [],
      adopted: [],
      abandoned: [],
      terminating: [],
      collected: [],
      orphans: [],
    };
    const claimed = new Set<string>();
    const work = claims.map((claim) => {
      const pid = claim.status?.providerID;
      claimed.add(claim.metadata.name);
      if (pid !== undefined) claimed.add(pid);
      const node = pid !== undefined ? nodeOf.get(pid) : undefined;
      return { claim, node, instance: pid !== undefined ? byProvider.get(pid) : undefined };
    });
    // Claims being deleted first: their termination steps (drain, instance, finalizers) each wait
    // for a round, and a status write can wait for the next one.
    const going = (w: (typeof work)[number]) => beingDeleted(w.claim, w.node);
    const ordered = [...work.filter(going), ...work.filter((w) => !going(w))];
    await eachLimited(
      ordered,
      this.d.concurrency ?? CLAIM_CONCURRENCY,
      () => true,
      async (w) => {
        try {
          await this.one(w.claim, w.node, w.instance, { instances, now, out, busy });
        } catch (e) {
          // One claim's failed write (a conflict, the API server away) does not hold up the others.
          this.d.logger.warn(
            { claim: w.claim.metadata.name, err: String(e) },
            'NodeClaim not reconciled this round',
          );
        }
      },
    );
    this.deferral.retain(new Set(claims.map((c) => c.metadata.name)));
    for (const i of instances) {
      if (claimed.has(i.claim) || claimed.has(i.providerId)) continue;
      if (i.legacy === true) await this.adoptLegacy(i, out);
      else if (now.getTime() - i.launchedAt.getTime() > GC_GRACE_MS) {
        await this.d.ops.terminateInstance(i.id);
        this.d.logger.warn({ instanceId: i.id, claim: i.claim }, 'terminated an instance with no NodeClaim');
        this.d.onGarbage?.('instance');
        out.orphans.push(i.id);
      }
    }
    return out;
  }

  private async one(
    claim: NodeClaim,
    node: V1Node | undefined,
    instance: Instance | undefined,
    r: { instances: readonly Instance[]; now: Date; out: LifecycleRound; busy: boolean },
  ): Promise<void> {
    const name = claim.metadata.name;
    if (beingDeleted(claim, node)) {
      await terminationStep(claim, node, instance, this.d);
      r.out.terminating.push(name);
    } else if (!isTrue(claim, 'Launched')) await this.unlaunched(claim, r.instances, r.now, r.out);
    else if (
      !instance &&
      age(r.now, conditionOf(claim, 'Launched')?.lastTransitionTime) > GC_GRACE_MS &&
      !nodeReady(node)
    )
      await this.collect(claim, r.out);
    else if (await this.update(claim, node, r.now, r.busy)) r.out.updated.push(name);
  }

  /** An instance launched before NodeClaims existed (an upgrade): given its claim, never collected. */
  private async adoptLegacy(i: Instance, out: LifecycleRound): Promise<void> {
    try {
      if (await this.d.launcher.adopt(i)) {
        this.d.logger.info(
          { instanceId: i.id, claim: i.claim },
          'adopted an instance launched before NodeClaims',
        );
        out.adopted.push(i.claim);
      }
    } catch (e) {
      this.d.logger.warn(
        { instanceId: i.id, err: String(e) },
        'instance launched before NodeClaims not adopted yet',
      );
    }
  }

  /** Not launched: being launched here, adopted from its tagged instance, or abandoned after the grace. */
  private async unlaunched(claim: NodeClaim, instances: readonly Instance[], now: Date, out: LifecycleRound) {
    const name = claim.metadata.name;
    if (this.d.launching(name)) return;
    const instance = instances.find((i) => i.claim === name);
    if (instance) {
      await this.d.launcher.record(name, instance);
      out.adopted.push(name);
      return;
    }
    if (age(now, claim.metadata.creationTimestamp) <= GC_GRACE_MS) return;
    this.d.events.emit({
      involved: involvedClaim(claim),
      type: 'Warning',
      reason: 'LaunchAbandoned',
      message: `NodeClaim ${name} event: no instance was launched for it (the leader that created it stopped first); its pods are planned again`,
    });
    await discard(this.d.claims, name);
    this.d.onDisrupted?.(claim, 'launch_timeout');
    out.abandoned.push(name);
  }

  /** A launched claim whose instance is gone (and whose Node is not Ready): deleted, as Karpenter's GC. */
  private async collect(claim: NodeClaim, out: LifecycleRound) {
    const name = claim.metadata.name;
    this.d.logger.info(
      { claim: name, providerID: claim.status?.providerID },
      'garbage collecting NodeClaim with no instance',
    );
    await this.d.claims.delete(name);
    this.d.onGarbage?.('claim');
    this.d.onDisrupted?.(claim, 'garbage_collected');
    out.collected.push(name);
  }

  /**
   * Writes the status the claim's Node gives it, when it changed; adds the Node's finalizer once
   * registered. Both wait while pods do (podsWaiting), up to DEFER_MS.
   */
  private async update(
    claim: NodeClaim,
    node: V1Node | undefined,
    now: Date,
    busy: boolean,
  ): Promise<boolean> {
    const name = claim.metadata.name;
    const next = observed(claim, node, node ? this.d.signals(node) : {});
    const changed = statusChanged(claim, next, node);
    const finalizer = node !== undefined && !hasFinalizer(node);
    if (!changed && !finalizer) {
      this.deferral.done(name);
      return false;
    }
    if (this.deferral.holds(name, busy, now.getTime())) return false;
    this.deferral.done(name);
    if (node && finalizer) await this.d.ops.addNodeFinalizer(node);
    if (changed) await this.writeStatus(claim, node?.metadata?.name, next, now);
    return changed;
  }

  private async writeStatus(
    claim: NodeClaim,
    nodeName: string | undefined,
    next: readonly ClaimCondition[],
    now: Date,
  ): Promise<void> {
    const conditions = withTransitions(claim.status?.conditions, next, now);
    const status = nodeName !== undefined ? { nodeName, conditions } : { conditions };
    await this.d.claims.update(claim.metadata.name, { status });
    if (!isTrue(claim, 'Ready') && conditions.some((c) => c.type === 'Ready' && c.status === 'True'))
      this.d.logger.info({ claim: claim.metadata.name, node: nodeName }, 'NodeClaim Ready');
  }
}

const unlisted = (c: NodeClaim, instances: readonly Instance[]): boolean => {
  const pid = c.status?.providerID;
  return pid !== undefined && !instances.some((i) => i.providerId === pid);
};

/** A claim, or its Node, being deleted: its termination steps are due. */
const beingDeleted = (claim: NodeClaim, node: V1Node | undefined): boolean =>
  claim.metadata.deletionTimestamp !== undefined || node?.metadata?.deletionTimestamp !== undefined;

const hasFinalizer = (n: V1Node): boolean => (n.metadata?.finalizers ?? []).includes(TERMINATION_FINALIZER);

/** Whether the claim's status differs from what its Node gives it (`next`, and the node's name). */
const statusChanged = (
  claim: NodeClaim,
  next: readonly ClaimCondition[],
  node: V1Node | undefined,
): boolean =>
  !sameConditions(claim.status?.conditions, next) || claim.status?.nodeName !== node?.metadata?.name;
