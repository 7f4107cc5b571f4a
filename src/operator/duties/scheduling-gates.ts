/**
 * The scheduling-gates duty (Lease holder, beside provisioning): while it runs, with
 * provisioner.schedulingGates on and provisioner.mode berth, the leader announces on its Lease that new
 * pods are to be gated, and every replica's /gate puts berth.dev/capacity on the pods it admits — or,
 * where the API server serves MutatingAdmissionPolicy v1 and the install brings the policy, binds it
 * (policy-gate.ts; the Lease then says `policy` and /gate lets pods through). This
 * duty lifts the gate (provisioner/controller/gates.ts says when), steering the pod to the Node the
 * round planned it onto (kube/pod-gates.ts): after each provisioner round, as the Nodes pods were
 * launched for join (join-lifts.ts: rounds run one at a time, and a round's launches can outlast its
 * first Nodes' joins), on a sweep every few seconds (gated too long, or gates turned off), and from
 * every gated pod when it stops, so that pods never stay gated behind a leader that is gone or a
 * provisioner turned off.
 */
import type { CoreV1Api, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { SCHEDULING_GATE } from '../../admission/gate.js';
import type { Resource } from '../../kube/informers.js';
import type { LeaderCaches } from '../../kube/leader-caches.js';
import { heldBy, liftGate, type GatedPodRef } from '../../kube/pod-gates.js';
import { pinnable } from '../../kube/pod-pins.js';
import { requestsOf } from '../../provisioner/input/pods.js';
import { pinLedger, type PinUnderWay } from './pin-ledger.js';
import { podRequests } from '../../kube/resources.js';
import type { Metrics } from '../../observability/metrics.js';
import { reconcile } from '../../observability/controller-metrics.js';
import type { LivePolicies } from '../../policies/live.js';
import { liftPlan, type GatedPod, type Lift, type RoundGates } from '../../provisioner/controller/gates.js';
import { joinLifts, usableLookup } from '../../provisioner/controller/join-lifts.js';
import { takesPods } from '../../provisioner/input/nodes.js';
import { isHardSpread } from '../../provisioner/input/pods.js';
import type { RoundResult } from '../../provisioner/controller/provisioner.js';
import { podId } from '../../provisioner/disruption/pods.js';
import { eachLimited } from '../../util/limited.js';
import { PodsWaiting } from './pods-waiting.js';
import type { PolicyGate } from './policy-gate.js';
import type { LeaderDuty } from '../duty.js';

/** The Lease annotation by which the leader tells every replica whether /gate gates new pods. */
export const GATES_ANNOTATION = 'berth.dev/scheduling-gates';

/** Gate lifts in flight at once. */
const LIFT_CONCURRENCY = 16;
/** How long a pod whose lift was refused (changed or gone since it was read) is left to the cache. */
const REFUSED_MS = 10_000;
/** A Lease renewal and a follower's read of it (2 s retry period each), and some. */
const SETTLE_MS = 4_500;
/** How long a Node's join waits for others before the pods launched for them are let through. */
const JOIN_BATCH_MS = 200;

export interface SchedulingGatesDeps {
  readonly core: Pick<CoreV1Api, 'patchNamespacedPod'>;
  readonly shared: Pick<LeaderCaches, 'acquire' | 'release'>;
  readonly live: Pick<LivePolicies, 'current'>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
  /** How often gated pods are looked at without a round (default 5 s). */
  readonly sweepMs?: number;
  /** How long a stop waits for the other replicas to read that gates are off (default 4.5 s). */
  readonly settleMs?: number;
  /**
   * Asks the provisioner for a round soon: a pod bound while others wait for their spread to take
   * it into account (spread-lifts.ts) — the next layer goes after that round.
   */
  readonly replan?: () => void;
  /**
   * The Node or claim a pod was last planned onto (Nominations.nodeOf): with it, pods go through as
   * those Nodes join, without waiting for the round that launched them to end.
   */
  readonly nominatedOn?: (pod: string) => string | undefined;
  /** A claim's recorded provider ID (its Node, when that is not named after the claim). */
  readonly providerOf?: (claim: string) => string | undefined;
  /**
   * Where the API server serves MutatingAdmissionPolicy and the install brings berth-scheduling-gate:
   * the gate is that policy, bound while this duty gates (policy-gate.ts), and /gate gates nothing.
   */
  readonly policyGate?: Pick<PolicyGate, 'sync'>;
}

/** A lift's key: the pod's uid (a StatefulSet's pod made again under its name is another pod). */
const liftKey = (p: V1Pod): string => p.metadata?.uid ?? podId(p);

/** A pod's size for the lifting order: its cores plus its memory in 4 GiB (a core's worth on most types). */
function sizeOf(p: V1Pod): number {
  if (!p.spec) return 0;
  const r = podRequests(p.spec);
  return r.cpuMillis / 1000 + r.memoryMiB / 4096;
}

/** Whether a pod has a DoNotSchedule topology spread (its gate comes off in a round's layers only). */
const hasHardSpread = (p: V1Pod | undefined): boolean =>
  p?.spec?.topologySpreadConstraints?.some(isHardSpread) === true;

/** What a lift needs of a pod: where it is, its gates, and its node affinity (to steer it). */
function refOf(p: V1Pod): GatedPodRef {
  const affinity = p.spec?.affinity;
  const nodeAffinity = affinity?.nodeAffinity;
  return {
    namespace: p.metadata?.namespace ?? 'default',
    name: p.metadata?.name ?? '',
    gates: p.spec?.schedulingGates ?? [],
    hasAffinity: affinity !== undefined,
    pinnable: pinnable(p),
    ...(nodeAffinity === undefined ? {} : { nodeAffinity }),
  };
}

export class SchedulingGates implements LeaderDuty {
  readonly name = 'scheduling-gates';
  private pods: Resource<V1Pod> | undefined;
  private nodes: Resource<V1Node> | undefined;
  /** Nodes seen able to take pods: a Node's join asks for a look once, not at each heartbeat. */
  private readonly joined = new Set<string>();
  private joinTimer: NodeJS.Timeout | undefined;
  private unwatchNodes: (() => void) | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private last: RoundGates | undefined;
  /** Pods the last look left gated for their spread's pods to bind first. */
  private spreadWaiting = 0;
  private unwatch: (() => void) | undefined;
  /**
   * Each pod's lift, by liftKey, while the cache still shows its gate: under way (one lift at a time
   * per pod, whichever round or sweep asked first), done (its gate is off; the cache has not caught
   * up), or refused at a time (tried again REFUSED_MS later, read afresh). Rounds come every few
   * hundred ms at a scale-out; without this, each overlapping lift patched the same pods again, and a
   * 1,000-pod scale-out sent 41,150 refused patches beside its 1,257 lifts.
   */
  private readonly lifts = new Map<string, 'pending' | 'done' | number>();
  /** The pins under way (by liftKey), until the cache shows the pod let through (pin-ledger.ts). */
  private readonly pinning = new Map<string, PinUnderWay>();
  private readonly waiting = new PodsWaiting(() => this.clock());

  constructor(private readonly d: SchedulingGatesDeps) {}

  /** Whether pods wait on the API server: behind the gate, or let through and not bound yet. */
  podsWaiting(): boolean {
    const pods = this.pods;
    return pods !== undefined && this.waiting.any((namespace, name) => pods.get(name, namespace));
  }

  /** Whether new pods are gated now: this replica leads with the duty running, gates on, provisioner on. */
  on(): boolean {
    const p = this.d.live.current;
    return this.pods !== undefined && p.schedulingGates && p.provisionerMode === 'berth';
  }

  /** What the Lease says of new pods: gated by the webhook (`on`), by the API server's policy, or not. */
  announcement(): 'on' | 'policy' | 'off' {
    return this.on() ? (this.d.policyGate ? 'policy' : 'on') : 'off';
  }

  start(): void {
    this.pods = this.d.shared.acquire<V1Pod>('pods');
    this.unwatch = this.pods.onChange((p, verb) => {
      if (verb === 'update' && this.spreadWaiting > 0 && p.spec?.nodeName !== undefined) this.d.replan?.();
    });
    void this.d.policyGate?.sync(this.on());
    this.sweep = setInterval(() => {
      void this.d.policyGate?.sync(this.on());
      void this.lift();
    }, this.d.sweepMs ?? 5_000);
    if (this.d.nominatedOn) this.watchJoins();
  }

  /** A Node that comes to take pods asks for a look (batched over JOIN_BATCH_MS). */
  private watchJoins(): void {
    const nodes = (this.nodes = this.d.shared.acquire<V1Node>('nodes'));
    this.unwatchNodes = nodes.onChange((n, verb) => {
      const name = n.metadata?.name ?? '';
      if (verb === 'delete' || !takesPods(n)) {
        this.joined.delete(name);
        return;
      }
      if (this.joined.has(name)) return;
      this.joined.add(name);
      this.joinTimer ??= setTimeout(() => {
        this.joinTimer = undefined;
        void this.lift();
      }, JOIN_BATCH_MS);
    });
  }

  /** What a provisioner round planned: lift the gates it allows. */
  afterRound(r: RoundResult): void {
    this.last = {
      planned: r.planned,
      awaitingCapacity: r.awaitingCapacity,
      unplaceable: new Set(r.plan.unschedulable.map((u) => u.pod)),
      targets: r.targets,
      spread: r.spread,
    };
    void this.lift();
  }

  /** Lifts the gates the last round (and the clock, and the settings) allow; every gate once stopping. */
  private lift(pods = this.pods): Promise<void> {
    return reconcile(this.d.metrics.controllers, 'scheduling-gates', () => this.liftNow(pods));
  }

  private async liftNow(pods: Resource<V1Pod> | undefined): Promise<void> {
    if (!pods?.synced) return;
    const gated = pods.list().filter((p) => heldBy(p, SCHEDULING_GATE));
    this.d.metrics.podsGated.set(gated.length);
    const byId = new Map(gated.map((p) => [podId(p), p]));
    const now = this.clock();
    const createdAt = new Map(gated.map((p) => [p, new Date(p.metadata?.creationTimestamp ?? 0).getTime()]));
    this.waiting.sawGated([...createdAt.values()]);
    this.forget(new Set(gated.map(liftKey)), now);
    const view: GatedPod[] = gated
      .filter((p) => !this.lifts.has(liftKey(p)))
      .map((p) => ({ id: podId(p), createdAt: createdAt.get(p) ?? 0, size: sizeOf(p) }));
    const plan = liftPlan(view, this.last, { now, on: this.on() });
    const { spreadWaiting } = plan;
    const pin = this.d.live.current.pinToPlannedNode;
    const lifts = this.withRoom([...plan.lifts, ...this.joinLifts(view, byId, plan.lifts)], byId, pods, pin);
    this.spreadWaiting = spreadWaiting;
    if (lifts.length === 0) return;
    for (const l of lifts) this.lifts.set(liftKey(byId.get(l.id) as V1Pod), 'pending');
    this.d.logger.info(
      { pods: lifts.length, joined: lifts.length - plan.lifts.length, gated: gated.length, spreadWaiting },
      'lifting scheduling gates',
    );
    await eachLimited(
      lifts,
      LIFT_CONCURRENCY,
      () => true,
      async ({ id, reason, node }) => {
        const pod = byId.get(id) as V1Pod;
        const key = liftKey(pod);
        try {
          const lifted = await liftGate(this.d.core, refOf(pod), SCHEDULING_GATE, node, pin);
          this.lifts.set(key, lifted ? 'done' : this.clock());
          if (!lifted) this.pinning.delete(key);
          if (lifted) {
            this.d.metrics.gatesLifted.inc({ reason });
            this.waiting.lifted(pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '');
          }
          if (lifted && reason === 'expired')
            this.d.logger.warn({ pod: id }, 'scheduling gate lifted: gated too long');
        } catch (e) {
          this.lifts.delete(key);
          this.pinning.delete(key);
          this.d.logger.warn({ pod: id, err: String(e) }, 'scheduling gate not lifted');
        }
      },
    );
  }

  /**
   * The lifts that pin a pod to a Node, each taking its room there first (pin-ledger.ts): one whose
   * room went to pods pinned or bound since its round's snapshot stays gated, and a round is asked for.
   */
  private withRoom(
    lifts: Lift[],
    byId: ReadonlyMap<string, V1Pod>,
    pods: Resource<V1Pod>,
    pin: boolean,
  ): Lift[] {
    const nodes = this.nodes;
    const pinned = (l: Lift) => l.node !== undefined && pinnable(byId.get(l.id) as V1Pod);
    if (!pin || !nodes?.synced || !lifts.some(pinned)) return lifts;
    const room = pinLedger(pods.list(), nodes, this.pinning.values());
    const out: Lift[] = [];
    for (const l of lifts) {
      const pod = byId.get(l.id) as V1Pod;
      if (l.node === undefined || !pinned(l)) {
        out.push(l);
        continue;
      }
      const requests = requestsOf(pod.spec ?? { containers: [] });
      if (!room.take(l.node, requests)) continue;
      this.pinning.set(liftKey(pod), { node: l.node, requests });
      out.push(l);
    }
    if (out.length < lifts.length) this.d.replan?.();
    return out;
  }

  /** Pods whose nominated Node has joined, beside those the last round lets through (join-lifts.ts). */
  private joinLifts(
    view: readonly GatedPod[],
    byId: ReadonlyMap<string, V1Pod>,
    planned: readonly Lift[],
  ): Lift[] {
    const nominatedOn = this.d.nominatedOn;
    const nodes = this.nodes;
    if (!nominatedOn || !nodes?.synced || !this.on()) return [];
    const taken = new Set(planned.map((l) => l.id));
    const candidates = view
      .filter((p) => !taken.has(p.id))
      .map((p) => ({ ...p, spread: hasHardSpread(byId.get(p.id)) }));
    const joinable = nodes.list().map((n) => ({
      name: n.metadata?.name ?? '',
      ...(n.spec?.providerID ? { providerId: n.spec.providerID } : {}),
      usable: takesPods(n),
    }));
    return joinLifts(candidates, nominatedOn, usableLookup(joinable, this.d.providerOf ?? (() => undefined)));
  }

  /** Drops what the cache has caught up with (no longer gated) and refusals old enough to try again. */
  private forget(stillGated: ReadonlySet<string>, now: number): void {
    for (const [key, s] of this.lifts) {
      if (s === 'pending') continue;
      if (!stillGated.has(key) || (s !== 'done' && now - s > REFUSED_MS)) {
        this.lifts.delete(key);
        this.pinning.delete(key);
      }
    }
  }

  private clock(): number {
    return (this.d.now ?? Date.now)();
  }

  /**
   * Stops gating: on() is false from here, which the Lease says at its next renewal, and every gate
   * still on comes off (the next leader plans those pods like any other) — once more after the other
   * replicas have read the Lease, for the pods they gated meanwhile.
   */
  async stop(): Promise<void> {
    clearInterval(this.sweep);
    this.sweep = undefined;
    clearTimeout(this.joinTimer);
    this.joinTimer = undefined;
    this.unwatch?.();
    this.unwatch = undefined;
    this.unwatchNodes?.();
    this.unwatchNodes = undefined;
    this.joined.clear();
    if (this.nodes) {
      this.nodes = undefined;
      await this.d.shared.release('nodes');
    }
    this.spreadWaiting = 0;
    this.waiting.clear();
    this.pinning.clear();
    const pods = this.pods;
    if (!pods) return;
    this.pods = undefined;
    // The API server gates no more pods before the last lifts.
    await this.d.policyGate?.sync(false);
    const lift = () => {
      // A refused lift is tried again now: nobody lifts this pod's gate after this.
      for (const [key, s] of this.lifts) if (typeof s === 'number') this.lifts.delete(key);
      return this.lift(pods).catch((e: unknown) => {
        this.d.logger.warn({ err: String(e) }, 'scheduling gates not lifted on stop');
      });
    };
    await lift();
    await new Promise((r) => setTimeout(r, this.d.settleMs ?? SETTLE_MS));
    await lift();
    this.last = undefined;
    await this.d.shared.release('pods');
  }
}
