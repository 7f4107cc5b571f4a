/**
 * The provisioning duty (Lease holder only): Pod, Node, DaemonSet and volume caches are started when it
 * leads, in-flight claims are rebuilt from the cloud, and a round runs after each burst (admission feed,
 * waiting pods, joining nodes). Nodes of Berth's instances are registered as their kubelets post them.
 */
import type { KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Decision } from '../../admission/admit.js';
import type { AdmissionRequest } from '../../admission/review.js';
import type { Resource } from '../../kube/informers.js';
import type { LeaderCaches } from '../../kube/leader-caches.js';
import type { KubeObject } from '../../kube/objects.js';
import { AdmittedQueue } from '../../provisioner/controller/admitted.js';
import { AdmissionFeed, type DemandBounds } from '../../provisioner/controller/demand.js';
import { spreadWorldOf, withDefaultSpread } from '../../scheduling/default-spread.js';
import type { ProvisionLoop } from '../../provisioner/controller/loop.js';
import type { Provisioner } from '../../provisioner/controller/provisioner.js';
import { Changes, nodeShape, Refused, waitingPodShape } from '../../provisioner/controller/changes.js';
import { register } from '../../provisioner/controller/registration.js';
import { WorkloadWatch } from '../../provisioner/controller/watched.js';
import { clusterInput } from '../../provisioner/input/cluster-input.js';
import { clusterBufferPods, type BufferSources } from '../../provisioner/input/buffers.js';
import { poolUsage, withInFlight } from '../../provisioner/nodeclaim/pool-status.js';
import { resourceList, type NodeClaim } from '../../provisioner/nodeclaim/object.js';
import { fromAllocatable } from '../../provisioner/solver/resources.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { LeaderDuty } from '../duty.js';
import { ReturningPods } from '../../provisioner/disruption/returning.js';
import { unschedulableEvents } from './unschedulable-events.js';
import {
  admittedObject,
  boundsOf,
  CACHES,
  FEED_TTL_MS,
  loopOf,
  newProvisioner,
  type ProvisioningDeps,
} from './provisioning-wiring.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cluster mode: runs while this replica holds the Lease. */
export class ClusterProvisioning implements LeaderDuty {
  readonly name = 'provisioning';
  private readonly feed = new AdmissionFeed(FEED_TTL_MS);
  private readonly queue = new AdmittedQueue({
    feed: this.feed,
    trigger: () => this.loop?.trigger(),
    now: () => Date.now(),
  });
  private readonly bounds: DemandBounds;
  /** The pods shrunk workloads will bring back: a round keeps their room, and so does disruption. */
  readonly returning = new ReturningPods(() => this.d.live.current.returningPodsWindowSeconds * 1000);
  private loop: ProvisionLoop | undefined;
  private unwatch: (() => void)[] = [];
  private caches:
    | {
        pods: Resource<V1Pod>;
        nodes: Resource<V1Node>;
        daemonSets: Resource<KubernetesObject>;
        pvcs: Resource<KubernetesObject>;
        pvs: Resource<KubernetesObject>;
        podTemplates: Resource<KubernetesObject>;
        buffers: Resource<KubernetesObject>;
        replicaSets: Resource<KubernetesObject>;
        services?: Resource<KubernetesObject>;
      }
    | undefined;

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

  /** A round if none is due, without pushing back one that is (a gate waits on a pod's binding). */
  nudge(): void {
    this.loop?.nudge();
  }

  admitted(webhook: string, req: AdmissionRequest, decision: Decision): void {
    if (!this.loop) return;
    const obj = admittedObject(webhook, req, decision, this.d.view);
    if (!obj) return;
    this.queue.add(obj);
  }

  /**
   * Starts the caches and the loop at once: rounds wait until every cache has listed. In-flight claims
   * come from the cloud; those whose Node is already there are settled by the first round.
   */
  async start(): Promise<void> {
    const { logger } = this.d;
    const caches = {
      pods: this.shared.acquire<V1Pod>('pods'),
      nodes: this.shared.acquire<V1Node>('nodes'),
      daemonSets: this.shared.acquire('daemonSets'),
      // A waiting pod is planned in its bound volumes' zones (volume-topology.ts).
      pvcs: this.shared.acquire('persistentVolumeClaims'),
      pvs: this.shared.acquire('persistentVolumes'),
      // CapacityBuffers' chunks are demand too, shaped by PodTemplates or workloads (buffers.ts).
      podTemplates: this.shared.acquire('podTemplates'),
      buffers: this.shared.acquire('capacityBuffers'),
      replicaSets: this.shared.acquire('replicaSets'),
      ...((this.d.defaultSpread ?? []).length > 0 ? { services: this.shared.acquire('services') } : {}),
    };
    this.caches = caches;
    const provisioner = newProvisioner(this.d);
    const events = this.d.events;
    const onUnschedulable = events
      ? unschedulableEvents(events, {
          pods: () => caches.pods.list(),
          workloads: () => this.d.workloads?.list() ?? [],
        })
      : undefined;
    const loop = loopOf({ ...this.d, ...(onUnschedulable ? { onUnschedulable } : {}) }, provisioner, () =>
      this.input(caches, provisioner),
    );
    const nodeChanges = new Changes<V1Node>((n) => n.metadata?.name ?? '', nodeShape);
    const podChanges = new Changes<V1Pod>((p) => p.metadata?.uid ?? '', waitingPodShape);
    const refused = new Refused();
    this.unwatch = [
      caches.pods.onChange((p, verb) => {
        if (p.spec?.nodeName !== undefined) {
          const bound = podChanges.forget(p);
          if (refused.seen(p, verb, bound)) loop.nudge();
          return;
        }
        refused.seen(p, verb, false);
        if (!podChanges.news(p, verb)) return;
        if (verb === 'add' && !this.feed.covers(p)) loop.trigger();
        else loop.nudge();
      }),
      caches.buffers.onChange(() => {
        loop.nudge();
      }),
      caches.podTemplates.onChange(() => {
        if (caches.buffers.list().length > 0) loop.nudge();
      }),
      caches.nodes.onChange((n, verb) => {
        // A heartbeat is no news to a plan; registration still looks at every update of a Node. A Node
        // is capacity, not demand: it asks for a round without pushing back one that is due. In a
        // burst, a trigger per join kept postponing the round that plans the pods created meanwhile,
        // for up to batchMaxSeconds, while 190 Nodes joined.
        if (nodeChanges.news(n, verb)) loop.nudge();
        if (verb !== 'delete') void this.register(provisioner, [n]);
      }),
    ];
    const claims = this.d.claims?.store;
    claims?.open();
    // The claims are the record a new leader recovers from: wait for their first list (bounded).
    for (let i = 0; claims && !claims.synced && i < 300 && this.caches === caches; i++) await sleep(100);
    const recovered = await provisioner.recover([]);
    if (this.caches !== caches) return; // lost the Lease meanwhile
    logger.info({ cloud: this.d.cloud.name, inFlight: recovered }, 'provisioner leading');
    void this.register(provisioner, caches.nodes.list());
    this.loop = loop;
    const unwatch = this.watchWorkloads();
    if (unwatch) this.unwatch.push(unwatch);
    loop.start();
  }

  /**
   * Workloads any replica admitted reach the leader through its own caches: a creation or a change of
   * spec is planned as fast as an admission of its own (docs/concepts/provisioning.md).
   */
  private watchWorkloads(): (() => void) | undefined {
    const source = this.d.workloads;
    if (!source) return undefined;
    const watch = new WorkloadWatch(source.list());
    return source.onChange((obj, verb) => {
      const change = watch.change(obj, verb);
      if (change === undefined) return;
      if ('forget' in change) this.queue.forget(change.forget);
      else this.queue.add(change.record);
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

  private input(caches: NonNullable<ClusterProvisioning['caches']>, provisioner: Provisioner) {
    const unsynced = Object.values(caches).filter((c) => !c.synced);
    if (unsynced.length > 0) return `caches not synced: ${unsynced.map((c) => c.spec.kind).join(', ')}`;
    const pods = caches.pods.list();
    return clusterInput({
      pods,
      nodes: caches.nodes.list(),
      daemonSets: caches.daemonSets.list() as KubeObject[],
      volumes: { pvcs: caches.pvcs.list() as KubeObject[], pvs: caches.pvs.list() as KubeObject[] },
      buffers: this.bufferPods(caches),
      returning: this.returning.current(pods, Date.now()),
      cameBack: this.returning.cameBack(),
      pools: this.pools(),
      catalog: this.d.catalog(),
      fed: this.feed.current(Date.now()),
      bounds: this.spreadBounds(caches),
      ...(this.d.claims ? { poolUsage: this.usage(this.d.claims.store.list(), provisioner) } : {}),
    });
  }

  /** The CapacityBuffers and what they may name, from the caches (none before they have listed). */
  bufferSources(caches = this.caches): BufferSources | undefined {
    if (!caches || !caches.buffers.synced || !caches.podTemplates.synced) return undefined;
    return {
      buffers: caches.buffers.list() as KubeObject[],
      podTemplates: caches.podTemplates.list() as KubeObject[],
      workloads: this.d.workloads?.list() ?? [],
      replicaSets: caches.replicaSets.list() as KubeObject[],
    };
  }

  /** The CapacityBuffers' virtual pods, from the caches (none, and no workload listed, without a buffer). */
  bufferPods(caches = this.caches): V1Pod[] {
    if (!caches || caches.buffers.list().length === 0) return [];
    const sources = this.bufferSources(caches);
    return sources ? clusterBufferPods(sources) : [];
  }

  /** The round's bounds, with the default spread deduced from this round's Services and controllers. */
  private spreadBounds(caches: NonNullable<ClusterProvisioning['caches']>): DemandBounds {
    const defaults = this.d.defaultSpread ?? [];
    if (defaults.length === 0 || !caches.services) return this.bounds;
    const world = spreadWorldOf(
      [
        ...caches.services.list().map((o) => ({ ...(o as KubeObject), kind: 'Service' })),
        ...caches.replicaSets.list().map((o) => ({ ...(o as KubeObject), kind: 'ReplicaSet' })),
        ...(this.d.workloads?.list() ?? []),
      ],
      'default',
    );
    const bounds = this.bounds;
    return {
      get maxPods() {
        return bounds.maxPods;
      },
      ...(bounds.replicaCap ? { replicaCap: bounds.replicaCap } : {}),
      spread: (o) => withDefaultSpread(o, 'default', defaults, world),
    };
  }

  /** What the pools hold against their limits: their claims, and the claims launching now. */
  private usage(claims: readonly NodeClaim[], provisioner: Provisioner) {
    const catalog = this.d.catalog();
    return withInFlight(poolUsage(claims), claims, provisioner.inFlightNodes(catalog), (name) => {
      const type = catalog.byName(name);
      return type ? resourceList(fromAllocatable(type.capacity)) : undefined;
    });
  }

  /** Ends the solver thread (on shutdown; following keeps it for the next lead). */
  close(): Promise<void> {
    return this.d.planner.close();
  }

  async stop(): Promise<void> {
    for (const stop of this.unwatch) stop();
    this.unwatch = [];
    this.loop?.stop();
    this.loop = undefined;
    const caches = this.caches;
    this.caches = undefined;
    if (caches) {
      await Promise.all(CACHES.map((k) => this.shared.release(k)));
      if (caches.services) await this.shared.release('services');
      await this.d.claims?.store.close();
    }
  }
}
