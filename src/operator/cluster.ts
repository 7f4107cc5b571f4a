/**
 * `berth serve` in a cluster, the composition root. Every replica answers admission from watch-fed
 * caches; the Lease holder (berth-system/berth-leader) runs the leader duties, which the DutyManager
 * starts in this order when the Lease is won and stops in reverse when it is lost:
 *
 *   1. profiles      the profile controller: generated PDBs and WorkloadProfile status   (profiles/)
 *   2. reports       the background scan that writes PolicyReports (unless --no-reports) (duties/reports.ts),
 *      and native-rules, Berth's rules kept applied as ValidatingAdmissionPolicies (duties/native-rules.ts)
 *   3. cluster-metrics  Karpenter's node/pod/NodePool gauges and cost per workload class, computed
 *                       from the leader's caches when scraped                    (duties/cluster-metrics.ts)
 *   4. karpenter-guard, which starts the eight duties that buy and give back capacity only while no
 *      Karpenter controller runs (or with --take-over-from-karpenter)            (duties/karpenter-guard.ts)
 *      4a. nodeclaims    NodeClaim status, deletion through finalizers, garbage collection, NodePool
 *                        status (every launch below is a NodeClaim first)           (duties/nodeclaims.ts)
 *      4b. disruption    consolidation, drift, expiration; drains via the Eviction API (duties/disruption.ts)
 *      4c. node-classes  EC2NodeClass resolution written to its status (aws only)      (duties/node-classes.ts)
 *      4d. interruptions the SQS interruption queue (--interruption-queue, aws only)   (duties/interruptions.ts)
 *      4e. repair        unhealthy nodes replaced (provisioner.nodeRepair)          (duties/repair.ts)
 *      4f. pin-repair    a pod pinned to a Node that cannot take it is made again (duties/pin-repair.ts)
 *      4g. scheduling-gates  announces on the Lease that /gate gates new pods, and lifts the gate
 *                        once a round gives the pod room               (duties/scheduling-gates.ts)
 *      4h. provisioning  waiting pods and admitted workloads → launches on the cloud   (duties/provisioning.ts)
 *
 * Each duty is handed what it needs here: the view (caches), the leader-only caches, the cloud, the
 * live policies, the Event recorder, metrics and a logger of its own.
 */
import { schedulerConfigFile } from '../inputs/scheduler-config-file.js';
import { hostname } from 'node:os';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { objectApi } from '../kube/object-api.js';
import { loadKubeConfig } from '../kube/client.js';
import { InformerClusterView } from '../kube/cluster-view.js';
import { EventRecorder } from '../kube/events.js';
import { LeaderCaches } from '../kube/leader-caches.js';
import { LeaderElector } from '../kube/lease.js';
import { dailyToday } from '../policies/engine.js';
import { UnavailableOfferings } from '../provisioner/cloud/unavailable.js';
import { ApiNodeOps } from '../provisioner/disruption/node-ops.js';
import { classLaunchable, type EC2NodeClass } from '../scheduling/nodepool.js';
import { setUpCloud } from './cloud.js';
import {
  cloudKind,
  placeholderSettings,
  joinTimeoutMs,
  kwokDelayMs,
  nodeClassOf,
  solverHeapMiB,
  solverNice,
} from './cloud-flags.js';
import { nodeApi, nodeRegistrar } from './registrar.js';
import { refusedPolicyEvents, startCaches } from './cluster-admission.js';
import { startClusterServers } from './cluster-servers.js';
import { ClusterDisruption } from './duties/disruption.js';
import { ClusterInterruptions } from './duties/interruptions.js';
import { ClusterRepair } from './duties/repair.js';
import { ClusterNodeClaims } from './duties/nodeclaims.js';
import { ApiClaimStore } from '../kube/nodeclaims.js';
import { ClaimLauncher } from '../provisioner/nodeclaim/launcher.js';
import { ClusterNodeClasses } from './duties/node-classes.js';
import { ClusterProvisioning } from './duties/provisioning.js';
import { boundedEvents, solverThread } from './duties/provisioning-wiring.js';
import { ClusterReports } from './duties/reports.js';
import { GATES_ANNOTATION, SchedulingGates } from './duties/scheduling-gates.js';
import { PinRepair } from './duties/pin-repair.js';
import { ClusterMetrics } from './duties/cluster-metrics.js';
import { clusterNativeRules } from './duties/native-rules.js';
import { karpenterDetector, ProvisioningGuard } from './duties/karpenter-guard.js';
import { DutyManager, type LeaderDuty } from './duty.js';
import { clusterGateOffer, clusterPolicyGate, gateMechanism } from './gate-mechanism.js';
import { seconds, type ServeStart, type Started } from './options.js';
import { ProfileController } from './profiles/controller.js';
import { Nominations } from '../provisioner/controller/nominations.js';
import { jsonPatchPods } from '../kube/raw-patch.js';

export async function startCluster(s: ServeStart): Promise<Started> {
  const { opts, session, live, base, io } = s;
  const kc = loadKubeConfig(opts.kubeconfig);
  const api = objectApi(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const identity = opts.identity ?? process.env.POD_NAME ?? hostname();
  const filePools = opts.nodepools !== undefined ? session.nodePools : undefined;
  const view = new InformerClusterView(kc, session.catalog, base.logger, filePools);
  const events = new EventRecorder(api, identity, base.logger);
  const shared = new LeaderCaches(kc, base.logger);
  const unavailable = new UnavailableOfferings(() => Date.now());
  const logger = (component: string) => base.logger.child({ component });
  refusedPolicyEvents(live, events, opts.namespace);

  const gateBy = await gateMechanism(opts.schedulingGate, () => clusterGateOffer(kc, api), logger('gates'));
  const kind = cloudKind(opts.cloud, live.current.cloudProvider);
  const unset = placeholderSettings(opts, process.env, live.current.provisionerMode, kind);
  if (unset.length > 0)
    throw new Error(
      `provisioner.mode is berth on aws, but the cluster's settings are not set: ${unset.join('; ')} (docs/getting-started/in-the-cluster.md)`,
    );
  // The simulated and kwok clouds register their Nodes (kwok's after a delay, as EC2's would).
  const kwokRegistration = kind === 'kwok' ? { delayMs: kwokDelayMs(opts.kwokRegistrationDelay) } : undefined;
  const setup = await setUpCloud({
    kind,
    flags: opts,
    catalog: session.catalog,
    catalogFromFile: opts.catalog !== undefined,
    logger: base.logger,
    ...(kind === 'aws' ? {} : { registrar: nodeRegistrar(api, base.logger, kwokRegistration) }),
    nodeClass: (name) => view.resources.nodeClasses.get(name) as unknown as EC2NodeClass | undefined,
    classZones: () => view.nodeClassZones(),
    startupTaints: (pool) =>
      view.nodePools.find((p) => p.name === pool)?.pool.spec.template.spec.startupTaints ?? [],
  });
  // On aws, a pool whose EC2NodeClass does not resolve launches nothing (its status says why).
  const pools = () =>
    kind === 'aws' ? view.nodePools.filter((p) => classLaunchable(view.nodeClassOf(p.pool))) : view.nodePools;
  const joinMs = joinTimeoutMs(opts.nodeJoinTimeout);
  // Every launch (provisioning's and disruption's replacements) is a NodeClaim first.
  const claims = new ApiClaimStore(api, custom, shared);
  const launcher = new ClaimLauncher({
    cloud: setup.cloud,
    claims,
    catalog: setup.catalog,
    pool: (name) => view.nodePools.find((p) => p.name === name),
    nodeClassOf: nodeClassOf(pools),
    events,
    clock: () => new Date(),
    onError: (message, cause) => {
      base.logger.error({ component: 'nodeclaims', err: String(cause) }, message);
    },
    metrics: base.metrics,
  });

  // The Nodes provisioning planned waiting pods onto, which disruption leaves alone meanwhile.
  const nominations = new Nominations(() => io.clock().getTime());
  const { controllers } = base.metrics;
  const kube = { api, custom, view, live, events };
  const profiles = new ProfileController({ ...kube, logger: base.logger, controllers });
  const today = dailyToday(() => io.clock());
  // Whether the leader (this replica or another) announces on the Lease that new pods are gated.
  let gatesAnnounced = (): boolean => false;
  const context = () => ({ view, policies: live.current, today: today(), schedulingGates: gatesAnnounced() });
  const gates = new SchedulingGates({
    // Lift answers are read for their status only (kube/raw-patch.ts).
    core: jsonPatchPods(kc),
    shared,
    live,
    logger: logger('gates'),
    metrics: base.metrics,
    replan: () => {
      provisioning.nudge();
    },
    nominatedOn: (pod) => nominations.nodeOf(pod),
    providerOf: (claim) => claims.get(claim)?.status?.providerID,
    ...(gateBy === 'policy' ? { policyGate: clusterPolicyGate(api, opts, logger('gates')) } : {}),
  });
  const reports = opts.reports
    ? new ClusterReports({
        api,
        view,
        shared,
        live,
        context,
        logger: logger('reports'),
        metrics: base.metrics,
        resyncMs: seconds('--report-resync', opts.reportResync, 10) * 1000,
      })
    : undefined;
  const provisioning = new ClusterProvisioning(
    {
      cloud: setup.cloud,
      view,
      live,
      catalog: setup.catalog,
      logger: logger('provisioner'),
      metrics: base.metrics,
      joinTimeoutMs: joinMs,
      nodeClassOf: nodeClassOf(pools),
      planner: solverThread(solverHeapMiB(opts.solverHeapMb), solverNice(opts.solverNice)),
      onBounded: boundedEvents(events),
      events,
      workloads: view.workloadSource(),
      defaultSpread: schedulerConfigFile(opts.schedulerConfig ?? process.env.SCHEDULER_CONFIG_FILE),
      ...(kind === 'aws' ? { nodeApi: nodeApi(api) } : {}),
      unavailable,
      claims: { store: claims, launcher },
      nominations,
      onRound: (r) => {
        nominations.record(r.targets);
        gates.afterRound(r);
      },
    },
    shared,
    pools,
  );
  const disruption = new ClusterDisruption({
    api,
    core,
    cloud: setup.cloud,
    catalog: setup.catalog,
    view,
    shared,
    live,
    events,
    logger: logger('disruption'),
    metrics: base.metrics,
    validationMs: seconds('--disruption-delay', opts.disruptionDelay, 0) * 1000,
    joinTimeoutMs: joinMs,
    launcher,
    claims,
    nominations,
    virtualPods: () => provisioning.bufferPods(),
    returning: provisioning.returning,
  });
  const nodeOps = new ApiNodeOps(api, core, setup.cloud);
  const provisionNow = () => {
    provisioning.trigger();
  };
  const drainNow = () => {
    disruption.now();
  };
  const nodeClaims = new ClusterNodeClaims({
    api,
    custom,
    claims,
    launcher,
    launching: (name) => launcher.launching(name),
    cloud: setup.cloud,
    ops: nodeOps,
    view,
    shared,
    mode: () => live.current.provisionerMode,
    events,
    logger: logger('nodeclaims'),
    metrics: base.metrics,
    drainNow,
    lastPodEvent: (node) => disruption.lastPodEvent(node),
    defaultConsolidateAfterMs: () => live.current.consolidation.consolidateAfterSeconds * 1000,
    podsWaiting: () => gates.podsWaiting(),
    buffers: () => provisioning.bufferSources(),
  });
  const nodeClasses = setup.aws
    ? new ClusterNodeClasses({
        aws: setup.aws,
        classes: view.resources.nodeClasses,
        custom,
        events,
        logger: logger('nodeclasses'),
        mode: () => live.current.provisionerMode,
        controllers,
      })
    : undefined;
  const interruptions = setup.queue
    ? new ClusterInterruptions({
        queue: setup.queue,
        shared,
        ops: nodeOps,
        unavailable,
        provisionNow,
        drainNow,
        events,
        logger: logger('interruption'),
        metrics: base.metrics,
      })
    : undefined;

  const hands = { shared, events, metrics: base.metrics, provisionNow, drainNow, live, ops: nodeOps };
  const repair = new ClusterRepair({ ...hands, pools: () => view.nodePools, logger: logger('repair') });
  const pins = new PinRepair({ core, shared, events, view, logger: logger('gates'), metrics: base.metrics });
  const present = (...ds: (LeaderDuty | undefined)[]): LeaderDuty[] => ds.flatMap((d) => (d ? [d] : []));
  // The duties that buy and give back capacity start only while no Karpenter controller runs.
  const guard = new ProvisioningGuard({
    inner: present(nodeClaims, disruption, nodeClasses, interruptions, repair, pins, gates, provisioning),
    detect: karpenterDetector(api, () => Date.now()),
    takeOver: opts.takeOverFromKarpenter === true,
    mode: () => live.current.provisionerMode,
    events,
    namespace: opts.namespace,
    logger: logger('provisioner'),
    blocked: base.metrics.provisionerBlocked,
    recheckMs: 30_000,
    controllers,
  });
  const clusterMetrics = new ClusterMetrics({
    shared,
    view,
    catalog: setup.catalog,
    metrics: base.metrics,
    logger: logger('metrics'),
    mode: () => live.current.provisionerMode,
    nodeCost: () => live.current.nodeCost,
  });
  const native = clusterNativeRules(api, live, opts.namespace, logger('native-rules'));
  const duties = present(profiles, reports, native, clusterMetrics, guard);
  const manager = new DutyManager(duties, base.logger, base.metrics.leaderDuty);
  const elector = new LeaderElector({
    api,
    namespace: opts.namespace,
    name: 'berth-leader',
    identity,
    logger: base.logger,
    onStart: () => {
      base.metrics.leader.set(1);
      void manager.start();
    },
    onStop: () => {
      base.metrics.leader.set(0);
      void manager.stop();
    },
    annotations: () => ({ [GATES_ANNOTATION]: gates.announcement() }),
  });
  // What the Lease says of new pods: gated by the webhook (`on`), by the API server (`policy`), or not.
  const said = () => (elector.leading ? gates.announcement() : elector.leaderAnnotation(GATES_ANNOTATION));
  const gatesOn = () => live.current.schedulingGates && live.current.provisionerMode === 'berth';
  gatesAnnounced = () => said() === 'on' && gatesOn();
  startCaches(view, base.metrics, base.logger);
  const { running, install } = await startClusterServers({
    start: s,
    ...{ api, view, live, elector, events, context },
    gatesAnnounced: () => gatesAnnounced(),
    gating: () => (said() === 'on' || said() === 'policy') && gatesOn(),
    gateBy,
    admitted: (webhook, req, d) => {
      provisioning.admitted(webhook, req, d);
    },
  });
  elector.start();
  return {
    running,
    // SIGTERM: the Lease handed over at once; admission goes on answering from the caches.
    drain: async () => {
      install.stop();
      await elector.stop();
      await manager.stop();
    },
    stop: async () => {
      await provisioning.close();
      setup.stop();
      await view.stop();
    },
  };
}
