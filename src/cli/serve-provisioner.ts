/**
 * The provisioner inside `berth serve`. In a cluster it runs on the Lease holder only: Pod, Node and
 * DaemonSet caches are started when it leads, in-flight claims are rebuilt from the cloud, and a round
 * runs after each burst (admission feed, waiting pods, joining nodes). With --local there is no cluster:
 * the simulated cloud's nodes live in memory and the admission feed is the only source of pods.
 */
import type { KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Decision } from '../admission/admit.js';
import type { AdmissionRequest } from '../admission/review.js';
import { subjectOf } from '../admission/subject.js';
import type { Resource } from '../kube/informers.js';
import type { LeaderCaches } from '../kube/leader-caches.js';
import type { EventSink } from '../kube/events.js';
import { refOf, type KubeObject } from '../kube/objects.js';
import { isCompiledKind } from '../kube/workload.js';
import type { Metrics } from '../observability/metrics.js';
import type { LivePolicies } from '../policies/live.js';
import type { ClusterView } from '../policies/view.js';
import type { Catalog } from '../provisioner/catalog/catalog.js';
import type { CloudProvider } from '../provisioner/cloud/provider.js';
import { UnavailableOfferings } from '../provisioner/cloud/unavailable.js';
import { replicaCap } from '../provisioner/controller/bounds.js';
import { AdmissionFeed, type Demand, type DemandBounds } from '../provisioner/controller/demand.js';
import { PlanWorker, type Planner } from '../provisioner/worker/planner.js';
import { SOLVER_HEAP_MIB, SOLVER_TIMEOUT_MS } from '../provisioner/worker/limits.js';
import { ProvisionLoop, type LoopDeps } from '../provisioner/controller/loop.js';
import { Provisioner } from '../provisioner/controller/provisioner.js';
import { clusterInput } from '../provisioner/input/cluster-input.js';
import type { PoolView } from '../scheduling/nodepool.js';
import type { WorkloadSource } from '../kube/cluster-view.js';
import { WorkloadWatch } from '../provisioner/controller/watched.js';
import { register, type RegistrationPatch } from '../provisioner/controller/registration.js';

/** How long an admitted workload's replicas are planned for before its pods are the source of truth. */
const FEED_TTL_MS = 120_000;

const CACHES = ['pods', 'nodes', 'daemonSets'] as const;

export interface ProvisioningDeps {
  readonly cloud: CloudProvider;
  readonly view: ClusterView;
  readonly live: LivePolicies;
  readonly catalog: () => Catalog;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly joinTimeoutMs: number;
  readonly nodeClassOf: (pool: string) => string;
  /** Where plans are computed: a worker thread in `berth serve` (off the admission event loop). */
  readonly planner: Planner;
  /** Told when a round's demand was bounded (cluster mode: Events on the workloads). */
  readonly onBounded?: (demand: Demand) => void;
  /** Cluster mode: the workload caches, whose creations and scale changes are demand on the leader. */
  readonly workloads?: WorkloadSource;
  /**
   * aws in a cluster: the Node API, to register the Nodes real kubelets post (labels and taints they
   * could not set) and to delete those that never become Ready.
   */
  readonly nodeApi?: NodeApi;
  /** Offerings short of capacity (shared with interruptions, which mark interrupted spot offerings). */
  readonly unavailable?: UnavailableOfferings;
}

export interface NodeApi {
  patch(node: V1Node, patch: RegistrationPatch): Promise<void>;
  delete(name: string): Promise<void>;
}

export function solverThread(maxHeapMiB = SOLVER_HEAP_MIB): Planner {
  return new PlanWorker({ maxHeapMiB, timeoutMs: SOLVER_TIMEOUT_MS });
}

/** How a round's demand is bounded: the live policies' maxPodsPerRound, each workload's replica cap. */
function boundsOf(d: ProvisioningDeps, pools: () => readonly PoolView[]): DemandBounds {
  const cap = replicaCap(d.view, () => d.live.current, pools, d.catalog);
  return {
    get maxPods() {
      return d.live.current.maxPodsPerRound;
    },
    replicaCap: cap,
  };
}

/** A validating decision that admitted a workload or a bare pod: its replicas are planned at once. */
export function admittedObject(
  webhook: string,
  req: AdmissionRequest,
  d: Decision,
  view: ClusterView,
): KubeObject | undefined {
  if (webhook !== 'validate' || !d.response.allowed || d.skipped !== undefined) return undefined;
  const subject = subjectOf(req, view);
  return subject.ok && isCompiledKind(subject.object.kind) ? subject.object : undefined;
}

function newProvisioner(d: ProvisioningDeps): Provisioner {
  return new Provisioner({
    cloud: d.cloud,
    unavailable: d.unavailable ?? new UnavailableOfferings(() => Date.now()),
    now: () => Date.now(),
    launchTimeoutMs: d.joinTimeoutMs,
    nodeClassOf: d.nodeClassOf,
    onLaunch: (_node, _instance, millis) => {
      d.metrics.launchLatency.observe(millis / 1000);
    },
    onError: (message, cause) => {
      d.logger.error({ err: String(cause) }, message);
    },
    planner: d.planner,
    ...(d.nodeApi ? { deleteNode: (name: string) => d.nodeApi?.delete(name) ?? Promise.resolve() } : {}),
  });
}

function loopOf(d: ProvisioningDeps, provisioner: Provisioner, input: LoopDeps['input']) {
  return new ProvisionLoop({
    provisioner,
    input,
    mode: () => d.live.current.provisionerMode,
    batching: () => d.live.current.batching,
    logger: d.logger,
    metrics: d.metrics,
    ...(d.onBounded ? { onBounded: d.onBounded } : {}),
  });
}

/** Cluster mode: runs while this replica holds the Lease. */
export class ClusterProvisioning {
  private readonly feed = new AdmissionFeed(FEED_TTL_MS);
  private readonly bounds: DemandBounds;
  private loop: ProvisionLoop | undefined;
  private unwatch: (() => void)[] = [];
  private caches:
    { pods: Resource<V1Pod>; nodes: Resource<V1Node>; daemonSets: Resource<KubernetesObject> } | undefined;

  constructor(
    private readonly d: ProvisioningDeps,
    private readonly shared: LeaderCaches,
    private readonly pools: () => readonly PoolView[],
  ) {
    this.bounds = boundsOf(d, pools);
  }

  /** A round now (an interrupted node's pods need capacity). */
  trigger(): void {
    this.loop?.trigger();
  }

  admitted(webhook: string, req: AdmissionRequest, decision: Decision): void {
    if (!this.loop) return;
    const obj = admittedObject(webhook, req, decision, this.d.view);
    if (!obj) return;
    this.feed.record(obj, Date.now());
    this.loop.trigger();
  }

  /**
   * Starts the caches and the loop at once: rounds wait until every cache has listed. In-flight claims
   * come from the cloud; those whose Node is already there are settled by the first round.
   */
  async lead(): Promise<void> {
    const { logger } = this.d;
    const caches = {
      pods: this.shared.acquire<V1Pod>('pods'),
      nodes: this.shared.acquire<V1Node>('nodes'),
      daemonSets: this.shared.acquire('daemonSets'),
    };
    this.caches = caches;
    const provisioner = newProvisioner(this.d);
    const loop = loopOf(this.d, provisioner, () => this.input(caches));
    this.unwatch = [
      caches.pods.onChange((p, verb) => {
        if (p.spec?.nodeName !== undefined) return;
        if (verb === 'add' && !this.feed.covers(p)) loop.trigger();
        else loop.nudge();
      }),
      caches.nodes.onChange((n, verb) => {
        if (verb === 'add') loop.trigger();
        else loop.nudge();
        if (verb !== 'delete') void this.register(provisioner, [n]);
      }),
    ];
    const recovered = await provisioner.recover([]);
    if (this.caches !== caches) return; // lost the Lease meanwhile
    logger.info({ cloud: this.d.cloud.name, inFlight: recovered }, 'provisioner leading');
    void this.register(provisioner, caches.nodes.list());
    this.loop = loop;
    const unwatch = this.watchWorkloads(loop);
    if (unwatch) this.unwatch.push(unwatch);
    loop.start();
  }

  /**
   * Workloads any replica admitted reach the leader through its own caches: a creation or a change of
   * spec is planned as fast as an admission of its own (see README, "Provisioning at admission speed").
   */
  private watchWorkloads(loop: ProvisionLoop): (() => void) | undefined {
    const source = this.d.workloads;
    if (!source) return undefined;
    const watch = new WorkloadWatch(source.list());
    return source.onChange((obj, verb) => {
      const change = watch.change(obj, verb);
      if (change === undefined) return;
      if ('forget' in change) this.feed.forget(change.forget);
      else {
        this.feed.record(change.record, Date.now());
        loop.trigger();
      }
    });
  }

  /** Nodes of Berth's instances get what their kubelet did not register (see registration.ts). */
  private async register(provisioner: Provisioner, nodes: readonly V1Node[]): Promise<void> {
    const api = this.d.nodeApi;
    if (!api) return;
    const done = await register(nodes, {
      instanceOf: (id) => provisioner.instanceOf(id),
      pools: this.pools,
      catalog: this.d.catalog,
      patch: (node, patch) => api.patch(node, patch),
      onError: (message, cause) => {
        this.d.logger.error({ err: String(cause) }, message);
      },
    });
    if (done.length > 0) this.d.logger.info({ nodes: done }, 'nodes registered');
  }

  private input(caches: NonNullable<ClusterProvisioning['caches']>) {
    const unsynced = Object.values(caches).filter((c) => !c.synced);
    if (unsynced.length > 0) return `caches not synced: ${unsynced.map((c) => c.spec.kind).join(', ')}`;
    return clusterInput({
      pods: caches.pods.list(),
      nodes: caches.nodes.list(),
      daemonSets: caches.daemonSets.list() as KubeObject[],
      pools: this.pools(),
      catalog: this.d.catalog(),
      fed: this.feed.current(Date.now()),
      bounds: this.bounds,
    });
  }

  /** Ends the solver thread (on shutdown; following keeps it for the next lead). */
  close(): Promise<void> {
    return this.d.planner.close();
  }

  async follow(): Promise<void> {
    for (const stop of this.unwatch) stop();
    this.unwatch = [];
    this.loop?.stop();
    this.loop = undefined;
    const caches = this.caches;
    this.caches = undefined;
    if (caches) await Promise.all(CACHES.map((k) => this.shared.release(k)));
  }
}

/** Events on the workloads a round planned for fewer pods than they ask for, and why. */
export function boundedEvents(events: EventSink): (demand: Demand) => void {
  const involved = (o: KubeObject) => ({ ...refOf(o), apiVersion: o.apiVersion, uid: o.metadata?.uid });
  return (demand) => {
    for (const c of demand.capped)
      events.emit({
        involved: involved(c.workload),
        type: 'Warning',
        reason: 'ProvisioningCapped',
        message: `planned capacity for ${c.planned} of ${c.asked} replicas: ${c.why}`,
      });
    for (const o of demand.deferredFrom.slice(0, 10))
      events.emit({
        involved: involved(o),
        type: 'Warning',
        reason: 'ProvisioningDeferred',
        message: `a provisioner round plans at most provisioner.maxPodsPerRound pods; ${demand.deferred} wait for the next rounds`,
      });
  };
}

/** --local: the simulated cloud's nodes in memory; workloads admitted stay planned (nothing binds). */
export class LocalProvisioning {
  private readonly feed = new AdmissionFeed(Number.POSITIVE_INFINITY);
  readonly loop: ProvisionLoop;

  constructor(
    private readonly d: ProvisioningDeps,
    nodes: () => readonly V1Node[],
  ) {
    const bounds = boundsOf(d, () => d.view.nodePools);
    this.loop = loopOf(d, newProvisioner(d), () =>
      clusterInput({
        pods: [],
        nodes: nodes(),
        daemonSets: [],
        pools: d.view.nodePools,
        catalog: d.catalog(),
        fed: this.feed.current(Date.now()),
        bounds,
      }),
    );
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await this.d.planner.close();
  }

  admitted(webhook: string, req: AdmissionRequest, decision: Decision): void {
    const obj = admittedObject(webhook, req, decision, this.d.view);
    if (!obj) return;
    this.feed.record(obj, Date.now());
    this.loop.trigger();
  }
}
