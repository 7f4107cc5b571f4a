/**
 * What both provisioning modes of the operator are built from: the provisioner's dependencies, the
 * solver thread, how a round's demand is bounded, which admissions are demand, and the Events of a
 * bounded round. The cluster duty (provisioning.ts) and --local (../local.ts) wire these.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Decision } from '../../admission/admit.js';
import type { AdmissionRequest } from '../../admission/review.js';
import { subjectOf } from '../../admission/subject.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { WorkloadSource } from '../../kube/cluster-view.js';
import type { DefaultConstraint } from '../../scheduling/scheduler-config.js';
import type { EventSink } from '../../kube/events.js';
import { refOf, type KubeObject } from '../../kube/objects.js';
import { isCompiledKind } from '../../kube/workload.js';
import type { Metrics } from '../../observability/metrics.js';
import type { LivePolicies } from '../../policies/live.js';
import type { ClusterView } from '../../policies/view.js';
import type { CloudProvider } from '../../provisioner/cloud/provider.js';
import { UnavailableOfferings } from '../../provisioner/cloud/unavailable.js';
import { replicaCap } from '../../provisioner/controller/bounds.js';
import type { Demand, DemandBounds } from '../../provisioner/controller/demand.js';
import { ProvisionLoop, type LoopDeps } from '../../provisioner/controller/loop.js';
import { Provisioner, type RoundResult } from '../../provisioner/controller/provisioner.js';
import type { RegistrationPatch } from '../../provisioner/controller/registration.js';
import { SOLVER_HEAP_MIB, SOLVER_NICE, SOLVER_TIMEOUT_MS } from '../../provisioner/worker/limits.js';
import { PlanWorker, type Planner } from '../../provisioner/worker/planner.js';
import type { ClaimLauncher } from '../../provisioner/nodeclaim/launcher.js';
import type { SharedClaimStore } from '../../provisioner/nodeclaim/store.js';
import type { PlannedNode, Unschedulable } from '../../provisioner/solver/model.js';
import type { Res } from '../../provisioner/solver/resources.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { count } from '../../util/canonical.js';
import type { Nominations } from '../../provisioner/controller/nominations.js';

/** How long an admitted workload's replicas are planned for before its pods are the source of truth. */
export const FEED_TTL_MS = 120_000;

export const CACHES = [
  'pods',
  'nodes',
  'daemonSets',
  'persistentVolumeClaims',
  'persistentVolumes',
  'podTemplates',
  'capacityBuffers',
  'replicaSets',
] as const;

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
  /** Cluster mode: where the Events on waiting pods' owners go. */
  readonly events?: EventSink;
  /** Told of pods no NodePool can take (cluster mode: Events on their owners). */
  readonly onUnschedulable?: (pods: readonly Unschedulable[]) => void;
  /** Told of each round's result (cluster mode: the scheduling gates it lets off). */
  readonly onRound?: (result: RoundResult) => void;
  /** Cluster mode: the workload caches, whose creations and scale changes are demand on the leader. */
  readonly workloads?: WorkloadSource;
  /** The cluster's default topology spread constraints (`--scheduler-config`); none by default. */
  readonly defaultSpread?: readonly DefaultConstraint[];
  /**
   * aws in a cluster: the Node API, to register the Nodes real kubelets post (labels and taints they
   * could not set) and to delete those that never become Ready.
   */
  readonly nodeApi?: NodeApi;
  /** Offerings short of capacity (shared with interruptions, which mark interrupted spot offerings). */
  readonly unavailable?: UnavailableOfferings;
  /**
   * Cluster mode: every launch is a NodeClaim (the launcher), and the claims are the record a new
   * leader recovers from and the pools' usage against their limits.
   */
  readonly claims?: { store: SharedClaimStore; launcher: ClaimLauncher };
  /** Where launches and rounds say which Nodes and claims waiting pods are planned onto. */
  readonly nominations?: Nominations;
}

export interface NodeApi {
  patch(node: V1Node, patch: RegistrationPatch): Promise<void>;
  delete(name: string): Promise<void>;
}

export function solverThread(maxHeapMiB = SOLVER_HEAP_MIB, nice = SOLVER_NICE): Planner {
  return new PlanWorker({ maxHeapMiB, timeoutMs: SOLVER_TIMEOUT_MS, nice });
}

/** How a round's demand is bounded: the live policies' maxPodsPerRound, each workload's replica cap. */
export function boundsOf(d: ProvisioningDeps, pools: () => readonly PoolView[]): DemandBounds {
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

export function newProvisioner(d: ProvisioningDeps): Provisioner {
  const launcher = d.claims?.launcher;
  return new Provisioner({
    cloud: d.cloud,
    unavailable: d.unavailable ?? new UnavailableOfferings(() => Date.now()),
    now: () => Date.now(),
    launchTimeoutMs: d.joinTimeoutMs,
    nodeClassOf: d.nodeClassOf,
    onLaunch: (node, _instance, millis) => {
      d.metrics.launchLatency.observe(millis / 1000);
      // Its pods nominate the claim until its Node joins and they bind (disruption leaves it alone).
      d.nominations?.record(new Map(node.pods.map((pod) => [pod, node.name])));
    },
    onError: (message, cause) => {
      d.logger.error({ err: String(cause) }, message);
    },
    onForgotten: (claim) => {
      d.logger.info({ claim }, 'NodeClaim in flight is gone; its pods are planned again');
    },
    planner: d.planner,
    nodeCost: () => d.live.current.nodeCost,
    ...(d.claims && launcher
      ? {
          claims: d.claims.store,
          // A round is over once its instances exist; their claims' records follow (launcher.ts).
          launch: (node: PlannedNode, requests: Readonly<Res>) =>
            launcher.launch(node, requests, 'provisioned', { recordLater: true }),
        }
      : {}),
    ...(d.nodeApi ? { deleteNode: (name: string) => d.nodeApi?.delete(name) ?? Promise.resolve() } : {}),
  });
}

export function loopOf(d: ProvisioningDeps, provisioner: Provisioner, input: LoopDeps['input']) {
  return new ProvisionLoop({
    provisioner,
    input,
    mode: () => d.live.current.provisionerMode,
    batching: () => d.live.current.batching,
    logger: d.logger,
    metrics: d.metrics,
    ...(d.onBounded ? { onBounded: d.onBounded } : {}),
    ...(d.onUnschedulable ? { onUnschedulable: d.onUnschedulable } : {}),
    ...(d.onRound ? { onRound: d.onRound } : {}),
  });
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
        message: `planned capacity for ${c.planned} of ${count(c.asked, 'replica')}: ${c.why}`,
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
