/**
 * The provisioner's loop body (leader only): claims in flight are matched to the Nodes that joined,
 * those that never join are terminated after a timeout, the solver plans the pending pods with in-flight
 * capacity counted as existing, and each new node of the plan is launched. An offering short of
 * capacity is remembered for a few minutes and the pods are planned again without it. Everything it
 * touches is passed in: the cloud, the clock, the unavailable-offerings cache.
 */
import type { Catalog } from '../../catalog/catalog.js';
import { LABEL } from '../../catalog/instance-type.js';
import {
  InsufficientCapacityError,
  instanceIdOf,
  instanceLabels,
  type CloudProvider,
  type Instance,
  type Launched,
} from '../cloud/provider.js';
import { instanceOfClaim, isTrue } from '../nodeclaim/object.js';
import type { ClaimStore } from '../nodeclaim/store.js';
import type { UnavailableOfferings } from '../cloud/unavailable.js';
import type { BoundPod, ExistingNode, Plan, PlannedNode, SolverInput } from '../solver/model.js';
import { fromAllocatable, sumOf, type Res } from '../solver/resources.js';
import { DEFAULT_BUDGET_MS } from '../solver/budget.js';
import { inProcessPlanner, type Planner } from '../worker/planner.js';
import { registeredKeys, vanished } from './in-flight.js';
import { HOLD_MS, plannedPods, type Hold } from './hold.js';
import { keepAndPlan } from './keep.js';
import { nominate, placedOn, type Nominated } from './nominate.js';
import { spreadFacts, type SpreadFact } from './spread-lifts.js';
import { eachLimited } from '../../util/limited.js';

/**
 * Launches (NodeClaim, cloud call, status) in flight at once in a round. At 16, a 1,000-pod scale-out's
 * 174 claims took 2.5–4.5 s to create on a busy API server, and their Nodes joined over as long (each
 * 5 s after its launch); at 64 they take ~2 s. Karpenter creates all of a round's claims at once.
 */
export const LAUNCH_CONCURRENCY = 64;

export const LAUNCH_TIMEOUT_MS = 15 * 60_000;
const REPLANS = 3;

export interface ProvisionerDeps {
  readonly cloud: CloudProvider;
  readonly unavailable: UnavailableOfferings;
  readonly now: () => number;
  readonly launchTimeoutMs?: number;
  /** Node class of a NodePool (its nodeClassRef name). */
  readonly nodeClassOf?: (nodePool: string) => string;
  readonly onLaunch?: (node: PlannedNode, instance: Instance, millis: number) => void;
  readonly onError?: (message: string, cause: unknown) => void;
  /** Deletes a Node that registered but never became Ready (its instance is terminated). */
  readonly deleteNode?: (name: string) => Promise<void>;
  /** Where plans are computed (default: in process; `berth serve`: a worker thread). */
  readonly planner?: Planner;
  /** policies.yaml provisioner.nodeCost, read each round (a reload applies to the next plan). */
  readonly nodeCost?: () => NonNullable<SolverInput['nodeCost']>;
  /** How long a joined claim holds the pods planned onto it (the re-buy guard; default 2 minutes). */
  readonly holdMs?: number;
  /**
   * Launches a planned node as a NodeClaim (mode berth in a cluster: ClaimLauncher); without it the
   * cloud is called directly (offline and unit tests).
   */
  readonly launch?: (node: PlannedNode, requests: Readonly<Res>) => Promise<Launched>;
  /** The NodeClaims: a restart rebuilds the in-flight set from them (else from the cloud's tags). */
  readonly claims?: Pick<ClaimStore, 'list'>;
  /** A claim in flight whose NodeClaim went (vanished()): its pods are planned again. */
  readonly onForgotten?: (claim: string) => void;
}

interface InFlight {
  readonly instance: Instance;
  readonly node: PlannedNode | undefined;
  readonly since: number;
  /** When a new leader read it back from its NodeClaim. */
  readonly recoveredAt?: number;
  /** The pods the plan put on it (none for a claim recovered after a restart). */
  readonly pods: readonly BoundPod[];
  /** The Node it registered as, while that Node is not Ready. */
  registeredAs?: string;
  /** Its labels as a node of the solver's input (made once: every round asks). */
  labels?: Record<string, string>;
}

export interface RoundResult {
  readonly plan: Plan;
  readonly launched: Instance[];
  readonly joined: string[];
  readonly terminated: string[];
  /** Why each launch given up this round did not join: no Node, or a Node that never became Ready. */
  readonly notJoined: ('not-registered' | 'not-ready')[];
  /** Waiting pods held on the joined node they were planned onto, not planned again this round. */
  readonly held: number;
  /** Held or kept pods given back to be planned afresh: they would break a spread (spread-trim.ts). */
  readonly givenBack: number;
  /** When the plan that launched each claim was decided (ms, the provisioner's clock). */
  readonly decidedAt: ReadonlyMap<string, number>;
  /** The waiting pods the round planned (solver ids, `namespace/name`). */
  readonly planned: ReadonlySet<string>;
  /** Those the plan put on capacity that cannot take them yet: a claim in flight, a Node not Ready. */
  readonly awaitingCapacity: ReadonlySet<string>;
  /** The others placed, by the Node the plan put them on: held on their joined node, or room there. */
  readonly targets: ReadonlyMap<string, string>;
  /** Their DoNotSchedule spreads as kube-scheduler will count them (gates lift in layers by them). */
  readonly spread: ReadonlyMap<string, readonly SpreadFact[]>;
}

/** How long a joined claim's instance stays known by id (for registration's label and taint check). */
const JOINED_KEPT_MS = 30 * 60_000;

export class Provisioner {
  private readonly inFlight = new Map<string, InFlight>();
  private readonly joinedRecently = new Map<string, { instance: Instance; at: number }>();
  private holds: Hold[] = [];
  private round = 0;

  constructor(private readonly deps: ProvisionerDeps) {}

  /**
   * Rebuilds in-flight state: from the NodeClaims launched and not Registered yet when there are
   * claims (the record of every launch), else from the instances the cloud says this cluster launched.
   */
  async recover(registered: readonly ExistingNode[]): Promise<number> {
    const joined = new Set(registered.flatMap((n) => [n.name, instanceIdOf(n.providerId) ?? '']));
    const instances = this.deps.claims
      ? this.deps.claims
          .list()
          .filter((c) => c.metadata.deletionTimestamp === undefined && !isTrue(c, 'Registered'))
          .flatMap((c) => instanceOfClaim(c) ?? [])
      : await this.deps.cloud.list();
    for (const instance of instances) {
      if (instance.claim && !joined.has(instance.claim) && !joined.has(instance.id))
        this.inFlight.set(instance.claim, {
          instance,
          node: undefined,
          since: instance.launchedAt.getTime(),
          recoveredAt: this.deps.now(),
          pods: [],
        });
    }
    return this.inFlight.size;
  }

  /**
   * An instance of Berth's: one this provisioner launched or recovered, in flight or joined in the last
   * half hour, or any other a NodeClaim records — disruption's replacements launch through claims too,
   * and their Nodes need registering as much (on aws a replacement kept karpenter.sh/unregistered, and
   * the pods it was launched for stayed pending beside it).
   */
  instanceOf(id: string): Instance | undefined {
    for (const f of this.inFlight.values()) if (f.instance.id === id) return f.instance;
    const joined = this.joinedRecently.get(id)?.instance;
    if (joined) return joined;
    const claim = this.deps.claims
      ?.list()
      .find((c) => c.metadata.deletionTimestamp === undefined && instanceIdOf(c.status?.providerID) === id);
    return claim && instanceOfClaim(claim);
  }

  get pendingClaims(): string[] {
    return [...this.inFlight.keys()];
  }

  private settle(registered: readonly ExistingNode[]): { joined: string[]; expired: InFlight[] } {
    const { ids, starting } = registeredKeys(registered);
    const joined: string[] = [];
    const expired: InFlight[] = [];
    const store = this.deps.claims;
    for (const claim of store ? vanished(this.inFlight, store.list(), this.deps.now()) : []) {
      this.inFlight.delete(claim);
      this.deps.onForgotten?.(claim);
    }
    for (const [id, j] of this.joinedRecently)
      if (this.deps.now() - j.at > JOINED_KEPT_MS) this.joinedRecently.delete(id);
    const timeout = this.deps.launchTimeoutMs ?? LAUNCH_TIMEOUT_MS;
    for (const [claim, f] of this.inFlight) {
      if (ids.has(f.instance.id) || ids.has(claim)) {
        this.joined(claim, f);
        joined.push(claim);
      } else if (this.deps.now() - f.since > timeout) {
        this.inFlight.delete(claim);
        expired.push(f);
      } else {
        const node = starting.get(f.instance.id) ?? starting.get(claim);
        if (node === undefined) delete f.registeredAs;
        else f.registeredAs = node;
      }
    }
    return { joined, expired };
  }

  private joined(claim: string, f: InFlight): void {
    this.inFlight.delete(claim);
    this.joinedRecently.set(f.instance.id, { instance: f.instance, at: this.deps.now() });
    if (f.pods.length > 0)
      this.holds.push({
        claim,
        instanceId: f.instance.id,
        until: this.deps.now() + (this.deps.holdMs ?? HOLD_MS),
        pods: f.pods,
      });
  }

  /** In-flight claims as nodes the solver fills before buying more. */
  inFlightNodes(catalog: Catalog): ExistingNode[] {
    const out: ExistingNode[] = [];
    for (const [claim, f] of this.inFlight) {
      const type = catalog.byName(f.instance.instanceType);
      // A claim whose Node registered (not Ready yet) is counted as that Node.
      if (!type || f.registeredAs !== undefined) continue;
      out.push({
        name: claim,
        labels: (f.labels ??= {
          ...(f.node?.labels ?? {}),
          ...instanceLabels(f.instance, type),
          [LABEL.hostname]: claim,
        }),
        taints: f.node?.taints ?? [],
        allocatable: fromAllocatable(type.allocatable),
        pods: [],
        inFlight: true,
      });
    }
    return out;
  }

  async reconcile(input: SolverInput): Promise<RoundResult> {
    const { joined, expired } = this.settle(input.nodes.filter((n) => !n.inFlight));
    const terminated: string[] = [];
    const notJoined = expired.map((f): 'not-registered' | 'not-ready' =>
      f.registeredAs === undefined ? 'not-registered' : 'not-ready',
    );
    for (const f of expired) {
      await this.deps.cloud.delete(f.instance.id).then(
        () => terminated.push(f.instance.id),
        (e: unknown) => this.deps.onError?.(`terminating ${f.instance.id} (never joined)`, e),
      );
      const node = f.registeredAs;
      if (node !== undefined)
        await this.deps
          .deleteNode?.(node)
          .catch((e: unknown) => this.deps.onError?.(`deleting Node ${node} (never Ready)`, e));
    }
    this.round += 1;
    const kept = await keepAndPlan(input, {
      holds: this.holds,
      now: this.deps.now(),
      nominate: (i, skip) => this.nominate(i, skip),
      plan: (i) => this.plan(i),
    });
    const { hold, skip } = kept;
    this.holds = hold.active;
    const launched: Instance[] = [];
    const decidedAt = new Map<string, number>();
    let { flying, plan } = kept;
    for (let attempt = 0; attempt <= REPLANS; attempt++) {
      const decided = this.deps.now();
      for (const n of plan.nodes)
        if (!n.existing && !this.inFlight.has(n.name)) decidedAt.set(n.name, decided);
      const short = await this.launch(plan, launched, hold.input);
      if (!short) break;
      flying = this.nominate(hold.input, skip);
      plan = await this.plan(flying.input);
    }
    const planned = new Set(input.pods.map((p) => p.id));
    const awaitingCapacity = this.awaiting(plan, flying);
    const targets = placedOn(planned, plan, flying.input, awaitingCapacity);
    const spread = spreadFacts(input.nodes, input.pods, targets);
    return {
      plan,
      launched,
      joined,
      terminated,
      notJoined,
      held: hold.held,
      givenBack: skip.size,
      decidedAt,
      planned,
      awaitingCapacity,
      targets,
      spread,
    };
  }

  /** The live node cost settings (none: volumes only). */
  nodeCost(): Pick<SolverInput, 'nodeCost'> {
    return this.deps.nodeCost ? { nodeCost: this.deps.nodeCost() } : {};
  }

  /**
   * The pods kept on claims in flight (launched this round or before) or on Nodes not Ready, and
   * those the plan puts there.
   */
  private awaiting(plan: Plan, flying: Nominated): Set<string> {
    const notThere = new Set(this.inFlight.keys());
    for (const n of flying.input.nodes) if (n.notReady === true) notThere.add(n.name);
    const out = new Set(flying.nominated.keys());
    for (const b of plan.bindings) if (notThere.has(b.node)) out.add(b.pod);
    return out;
  }

  /** The input with the claims in flight as nodes, each keeping the waiting pods it was launched for. */
  private nominate(input: SolverInput, skip?: ReadonlySet<string>): Nominated {
    const claims = [...this.inFlight].map(([claim, f]) => ({
      claim,
      pods: f.pods,
      registeredAs: f.registeredAs,
    }));
    return nominate(input, this.inFlightNodes(input.catalog), claims, skip);
  }

  private plan(input: SolverInput): Promise<Plan> {
    const planner = this.deps.planner ?? inProcessPlanner;
    return planner.plan(
      {
        ...input,
        budgetMillis: input.budgetMillis ?? DEFAULT_BUDGET_MS,
        ...this.nodeCost(),
        namePrefix: `berth-${this.deps.now().toString(36)}-${this.round}-`,
      },
      this.deps.unavailable.keys(),
    );
  }

  /**
   * Launches the plan's new nodes, up to LAUNCH_CONCURRENCY at once (as Karpenter creates a round's
   * NodeClaims in parallel: one after another, 174 claims took 45 s on kwok); true when some offering
   * was short (plan again without it).
   */
  private async launch(plan: Plan, launched: Instance[], input: SolverInput): Promise<boolean> {
    let short = false;
    const fresh = plan.nodes.filter((n) => !n.existing && !this.inFlight.has(n.name));
    const done = new Map<string, Instance>();
    await eachLimited(
      fresh,
      LAUNCH_CONCURRENCY,
      () => true,
      async (node) => {
        const start = this.deps.now();
        try {
          const pods = plannedPods(node, input);
          const instance = await (this.deps.launch
            ? this.deps.launch(node, sumOf(pods.map((p) => p.requests)))
            : this.deps.cloud.create({
                claim: node.name,
                nodePool: node.nodePool,
                nodeClass: this.deps.nodeClassOf?.(node.nodePool) ?? 'default',
                capacityType: node.capacityType,
                instanceTypes: [node.instanceType, ...node.alternatives],
                zones: [node.zone],
                labels: node.labels,
                taints: node.taints,
              }));
          this.inFlight.set(node.name, { instance, node, since: this.deps.now(), pods });
          done.set(node.name, instance);
          // A partial fleet launched but found some offerings short: avoid them next time too.
          this.deps.unavailable.mark(instance.unavailable);
          this.deps.onLaunch?.(node, instance, this.deps.now() - start);
        } catch (e) {
          if (e instanceof InsufficientCapacityError) {
            this.deps.unavailable.mark(e.offerings);
            short = true;
          } else this.deps.onError?.(`launching ${node.name}`, e);
        }
      },
    );
    // In the plan's order, whatever order the calls returned in.
    for (const node of fresh) {
      const instance = done.get(node.name);
      if (instance) launched.push(instance);
    }
    return short;
  }
}
