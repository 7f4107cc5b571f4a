/**
 * Disruption inside `berth serve` (Lease holder only): the shared leader caches (Nodes, Pods,
 * DaemonSets) and the webhook's PDBs and NodePools as the cluster, the API server and the cloud as
 * the hands, and a loop of rounds — every 10 s, every second while a decision is under way.
 */
import type { CoreV1Api, KubernetesObjectApi, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { InformerClusterView } from '../../kube/cluster-view.js';
import type { EventSink } from '../../kube/events.js';
import type { LeaderCaches } from '../../kube/leader-caches.js';
import type { Metrics } from '../../observability/metrics.js';
import { reconcile } from '../../observability/controller-metrics.js';
import type { LivePolicies } from '../../policies/live.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { CloudProvider } from '../../provisioner/cloud/provider.js';
import { DisruptionController, type RoundOutcome } from '../../provisioner/disruption/controller.js';
import { ApiNodeOps } from '../../provisioner/disruption/node-ops.js';
import { claimLauncher } from '../../provisioner/disruption/replacements.js';
import { boundRequestsOf, daemonSetOf } from '../../provisioner/input/pods.js';
import type { ClaimLauncher } from '../../provisioner/nodeclaim/launcher.js';
import type { SharedClaimStore } from '../../provisioner/nodeclaim/store.js';
import { onClaimsToo } from '../../provisioner/nodeclaim/events.js';
import { sumOf, type Res } from '../../provisioner/solver/resources.js';
import type { DaemonSetShape } from '../../provisioner/solver/model.js';
import type { LeaderDuty } from '../duty.js';
import { SCHEDULING_GATE } from '../../admission/gate.js';
import { heldBy } from '../../kube/pod-gates.js';
import type { Nominations } from '../../provisioner/controller/nominations.js';
import { awaitedReason } from '../../provisioner/disruption/awaited.js';
import type { ReturningPods } from '../../provisioner/disruption/returning.js';

/** Whether any pod waits behind Berth's scheduling gate, read from the cache at most once a second. */
function anyGated(pods: () => readonly V1Pod[]): () => boolean {
  let at = 0;
  let last = false;
  return () => {
    const now = Date.now();
    if (now - at >= 1_000) {
      at = now;
      last = pods().some((p) => heldBy(p, SCHEDULING_GATE));
    }
    return last;
  };
}

/** The cache's pods, and the buffers' virtual ones after them (the cache's list as is without any). */
const withVirtual = (pods: readonly V1Pod[], virtual: readonly V1Pod[]): readonly V1Pod[] =>
  virtual.length === 0 ? pods : [...pods, ...virtual];

const ROUND_MS = 10_000;
const DRAIN_ROUND_MS = 1000;
const CACHES = ['nodes', 'pods', 'daemonSets'] as const;
/** Outcomes logged at info. */
const NOTED: ReadonlySet<string> = new Set(['decided', 'terminated', 'aborted']);
/** Outcomes after which the next round comes in a second: something is under way. */
const BUSY: ReadonlySet<string> = new Set(['draining', 'decided', 'validating', 'launching', 'terminated']);

export interface DisruptionWiring {
  readonly api: KubernetesObjectApi;
  readonly core: CoreV1Api;
  readonly cloud: CloudProvider;
  readonly catalog: () => Catalog;
  readonly view: InformerClusterView;
  readonly shared: LeaderCaches;
  readonly live: LivePolicies;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly validationMs: number;
  readonly joinTimeoutMs: number;
  /** Replacements are NodeClaims; the claims say which nodes are Berth's. */
  readonly launcher: ClaimLauncher;
  readonly claims: SharedClaimStore;
  /** Where the provisioner says which Nodes and claims waiting pods are planned onto. */
  readonly nominations?: Pick<Nominations, 'has' | 'nodeOf'>;
  /** CapacityBuffers' virtual pods: pods on their way whose room no decision may take. */
  readonly virtualPods?: () => readonly V1Pod[];
  /** The pods shrunk workloads will bring back (shared with the provisioner, which keeps their room too). */
  readonly returning: ReturningPods;
}

/** How long the claims' index by providerID is used before it is made again. */
const CLAIM_INDEX_MS = 1_000;

export class ClusterDisruption implements LeaderDuty {
  readonly name = 'disruption';
  private running = false;
  private wake: (() => void) | undefined;
  private stopWatch: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** When a pod last bound to or left each node (consolidateAfter counts from it). */
  private readonly lastPodEvents = new Map<string, Date>();
  private claimIndex: { at: number; byProvider: Map<string, string> } | undefined;

  constructor(private readonly d: DisruptionWiring) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const nodes = this.d.shared.acquire<V1Node>('nodes');
    const pods = this.d.shared.acquire<V1Pod>('pods');
    const daemonSets = this.d.shared.acquire('daemonSets');
    // consolidateAfter counts from a pod bound to or removed from the node, as Karpenter's
    // lastPodEventTime: status updates of a pod that stays do not count.
    const lastPodEvent = this.lastPodEvents;
    lastPodEvent.clear();
    const boundTo = new Map<string, string>();
    this.stopWatch = pods.onChange((p, verb) => {
      const key = p.metadata?.uid ?? `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
      const before = boundTo.get(key);
      const now = verb === 'delete' ? undefined : p.spec?.nodeName;
      if (before === now) return;
      if (before !== undefined) lastPodEvent.set(before, new Date());
      if (now !== undefined) lastPodEvent.set(now, new Date());
      if (now === undefined) boundTo.delete(key);
      else boundTo.set(key, now);
    });
    const pdbs = this.d.view.resources.pdbs;
    const deployments = this.d.view.resources.deployments;
    this.d.claims.open();
    const nominations = this.d.nominations;
    // A pod (solver id namespace/name) still waits: in the cache, not bound, not being deleted.
    const waiting = (id: string): boolean => {
      const [namespace = '', name = ''] = id.split('/');
      const p = pods.get(name, namespace);
      return p !== undefined && p.spec?.nodeName === undefined && p.metadata?.deletionTimestamp === undefined;
    };
    const gated = anyGated(() => pods.list());
    const controller = new DisruptionController({
      cluster: {
        synced: () => nodes.synced && pods.synced && daemonSets.synced && pdbs.synced && this.d.claims.synced,
        nodes: () => nodes.list(),
        pods: () => {
          // The pods shrunk workloads will bring back, counted from the pods the round reads.
          const all = pods.list();
          return withVirtual(all, [
            ...(this.d.virtualPods?.() ?? []),
            ...this.d.returning.current(all, Date.now()),
          ]);
        },
        pdbs: () => pdbs.list(),
        pools: () => this.d.view.nodePools,
        daemonSets: () =>
          daemonSets
            .list()
            .map((o) => daemonSetOf({ ...o, kind: 'DaemonSet' }))
            .filter((x): x is DaemonSetShape => x !== undefined),
        catalog: this.d.catalog,
        lastPodEvent: (node) => lastPodEvent.get(node),
        launched: () =>
          Promise.resolve(new Set(this.d.claims.list().flatMap((c) => c.status?.providerID ?? []))),
        headed: {
          nominatedTo: (pod) => nominations?.nodeOf(pod),
          claimOf: (n) => this.claimOf(n),
        },
      },
      enabled: () =>
        this.d.live.current.provisionerMode === 'berth' && this.d.live.current.consolidation.enabled,
      keepCounts: () => this.d.live.current.provisionerMode === 'berth',
      onEligible: (counts) => {
        this.d.metrics.karpenter.eligibleNow = counts;
      },
      defaultConsolidateAfterMs: () => this.d.live.current.consolidation.consolidateAfterSeconds * 1000,
      spotToSpot: () => this.d.live.current.spotToSpot,
      minSavings: (pool) => this.d.live.current.minSavings(pool),
      ops: new ApiNodeOps(this.d.api, this.d.core, this.d.cloud),
      events: onClaimsToo(this.d.events, () => this.d.claims.list()),
      logger: this.d.logger,
      metrics: this.d.metrics,
      clock: () => new Date(),
      active: () => this.running,
      validationMs: this.d.validationMs,
      launcher: claimLauncher(
        this.d.launcher,
        this.d.claims,
        this.d.cloud,
        requestsByPod(() => pods.list()),
      ),
      joinTimeoutMs: this.d.joinTimeoutMs,
      surge: {
        deployment: (namespace, name) => deployments.get(name, namespace),
        surgeFirst: (cls) => this.d.live.current.surgeFirst(cls),
      },
      awaited: (node: V1Node) =>
        awaitedReason(node, {
          now: Date.now(),
          nominated: (name) => nominations?.has(name, waiting) === true,
          claimOf: (n) => this.claimOf(n),
          lastPodEvent: (name) => lastPodEvent.get(name)?.getTime(),
          gated: gated(),
        }),
    });
    this.loop = this.run(controller);
    this.d.logger.info('disruption leading');
  }

  /**
   * The NodeClaim a Node is (by providerID): a launch nominates its claim before the Node exists. The
   * claims by providerID are indexed for a second at a time: a round asks for each candidate node,
   * and scanning every claim for each was ~4 million comparisons a round at 2,000 nodes.
   */
  private claimOf(node: V1Node): string | undefined {
    const id = node.spec?.providerID;
    if (id === undefined) return undefined;
    const now = Date.now();
    if (!this.claimIndex || now - this.claimIndex.at > CLAIM_INDEX_MS) {
      const byProvider = new Map<string, string>();
      for (const c of this.d.claims.list()) {
        const provider = c.status?.providerID;
        if (provider !== undefined && !byProvider.has(provider)) byProvider.set(provider, c.metadata.name);
      }
      this.claimIndex = { at: now, byProvider };
    }
    return this.claimIndex.byProvider.get(id);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async run(controller: DisruptionController): Promise<void> {
    while (this.running) {
      let outcome: RoundOutcome | undefined;
      try {
        outcome = await reconcile(this.d.metrics.controllers, 'disruption', () => controller.round());
        // Decisions validated, ended or abandoned at info; the steps in between at debug.
        const under = outcome.all.filter((o) => o.kind !== 'idle' && o.kind !== 'none');
        const done = under.filter((o) => NOTED.has(o.kind));
        if (done.length > 0) this.d.logger.info({ outcomes: done }, 'disruption round');
        else if (under.length > 0) this.d.logger.debug({ outcomes: under }, 'disruption round');
      } catch (e) {
        this.d.logger.error({ err: String(e) }, 'disruption round failed');
      }
      const busy = outcome?.all.some((o) => BUSY.has(o.kind)) === true;
      await this.sleep(busy ? DRAIN_ROUND_MS : ROUND_MS);
    }
  }

  /** When a pod last bound to or left the node, while this replica leads (NodeClaims' Consolidatable). */
  lastPodEvent(node: string): Date | undefined {
    return this.lastPodEvents.get(node);
  }

  /** A round now (an interrupted node's drain starts without waiting for the next tick). */
  now(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    this.stopWatch?.();
    await this.loop;
    await Promise.all(CACHES.map((k) => this.d.shared.release(k)));
    await this.d.claims.close();
  }
}

/** What the pods a replacement takes (`namespace/name`) ask for in all, from the pod cache. */
function requestsByPod(pods: () => readonly V1Pod[]): (ids: readonly string[]) => Res {
  return (ids) => {
    const wanted = new Set(ids);
    return sumOf(
      pods().flatMap((p) =>
        p.spec && wanted.has(`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`)
          ? [boundRequestsOf(p)]
          : [],
      ),
    );
  };
}
