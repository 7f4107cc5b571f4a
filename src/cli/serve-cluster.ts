/**
 * `berth serve` in a cluster: watch-fed caches behind the webhook, Events on denials, and the
 * Lease holder's profile controller. Every replica answers admission.
 */
import { hostname } from 'node:os';
import { CoreV1Api, CustomObjectsApi, KubernetesObjectApi } from '@kubernetes/client-node';
import type { Decision } from '../admission/admit.js';
import type { AdmissionRequest } from '../admission/review.js';
import { ProfileController } from '../controller/controller.js';
import { loadKubeConfig } from '../kube/client.js';
import { InformerClusterView } from '../kube/cluster-view.js';
import { EventRecorder, type EventSink } from '../kube/events.js';
import { LeaderElector } from '../kube/lease.js';
import { PROFILE_LABEL } from '../policies/compile/compile.js';
import { dailyToday, denialMessage } from '../policies/engine.js';
import type { LivePolicies } from '../policies/live.js';
import { PROFILE_API_VERSION } from '../policies/schema/profile-schema.js';
import { policiesCheck, type Check } from '../webhook/readiness.js';
import { startWebhook, type Running } from '../webhook/server.js';
import type { WebhookDeps } from '../webhook/app.js';
import type { ServeStart } from './serve.js';
import {
  cloudKind,
  joinTimeoutMs,
  nodeClassOf,
  nodeApi,
  nodeRegistrar,
  setUpCloud,
  solverHeapMiB,
} from './serve-cloud.js';
import { boundedEvents, ClusterProvisioning, solverThread } from './serve-provisioner.js';
import { ClusterReports } from './serve-reports.js';
import { ClusterDisruption } from './serve-disruption.js';
import { LeaderCaches } from '../kube/leader-caches.js';
import { classLaunchable, type EC2NodeClass } from '../scheduling/nodepool.js';
import { ClusterNodeClasses } from './serve-nodeclasses.js';
import { ClusterInterruptions } from './serve-interruption.js';
import { UnavailableOfferings } from '../provisioner/cloud/unavailable.js';
import { ApiNodeOps } from '../provisioner/disruption/node-ops.js';

function seconds(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min)
    throw new Error(`${flag} must be at least ${min} (seconds), got ${value}`);
  return n;
}

/** Denials become Events on the object and, for a workload bound to a profile, on the profile. */
function denialEvents(events: EventSink) {
  return (webhook: string, req: AdmissionRequest, d: Decision): void => {
    if (webhook !== 'validate' || d.response.allowed || !d.verdict) return;
    const v = d.verdict;
    const message = denialMessage(v);
    events.emit({
      involved: {
        kind: v.kind,
        namespace: v.namespace,
        name: v.name,
        apiVersion: req.object?.apiVersion,
        uid: req.object?.metadata?.uid,
      },
      type: 'Warning',
      reason: 'PolicyViolation',
      message,
    });
    const profile = req.object?.metadata?.labels?.[PROFILE_LABEL];
    if (profile !== undefined && v.kind !== 'WorkloadProfile')
      events.emit({
        involved: {
          apiVersion: PROFILE_API_VERSION,
          kind: 'WorkloadProfile',
          namespace: v.namespace,
          name: profile,
        },
        type: 'Warning',
        reason: 'WorkloadDenied',
        message,
      });
  };
}

function checks(view: InformerClusterView, live: LivePolicies, elector: LeaderElector): Check[] {
  const state = view.syncState();
  const pending = state.filter((s) => !s.synced);
  const notes = state.filter((s) => s.detail !== undefined).map((s) => s.detail ?? '');
  return [
    {
      name: 'caches',
      ok: pending.length === 0,
      ...(pending.length > 0
        ? { detail: `not synced yet: ${pending.map((p) => p.name).join(', ')}` }
        : notes.length > 0
          ? { detail: notes.join('; ') }
          : {}),
    },
    policiesCheck(live.refused),
    { name: 'leader', ok: true, detail: elector.leading ? 'this replica leads' : 'following' },
  ];
}

export async function startCluster(s: ServeStart): Promise<{ running: Running; stop: () => Promise<void> }> {
  const { opts, session, live, base, io } = s;
  const kc = loadKubeConfig(opts.kubeconfig);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const identity = opts.identity ?? process.env.POD_NAME ?? hostname();
  const filePools = opts.nodepools !== undefined ? session.nodePools : undefined;
  const view = new InformerClusterView(kc, session.catalog, base.logger, filePools);
  const events = new EventRecorder(api, identity, base.logger);
  // A refused policies.yaml is an Event on the ConfigMap it is mounted from (deploy/berth).
  live.onReload((r) => {
    if (!r.applied)
      events.emit({
        involved: { apiVersion: 'v1', kind: 'ConfigMap', namespace: opts.namespace, name: 'berth-policies' },
        type: 'Warning',
        reason: 'PoliciesRefused',
        message: `policies.yaml refused; the last good policy stays in force: ${r.errors.join('; ')}`,
      });
  });
  const controller = new ProfileController({
    api,
    custom: kc.makeApiClient(CustomObjectsApi),
    view,
    live,
    events,
    logger: base.logger,
  });
  const kind = cloudKind(opts.cloud, live.current.cloudProvider);
  const setup = setUpCloud({
    kind,
    flags: opts,
    catalog: session.catalog,
    catalogFromFile: opts.catalog !== undefined,
    logger: base.logger,
    ...(kind === 'simulated' ? { registrar: nodeRegistrar(api, base.logger) } : {}),
    nodeClass: (name) => view.resources.nodeClasses.get(name) as unknown as EC2NodeClass | undefined,
    classZones: () => view.nodeClassZones(),
    startupTaints: (pool) =>
      view.nodePools.find((p) => p.name === pool)?.pool.spec.template.spec.startupTaints ?? [],
  });
  // On aws, a pool whose EC2NodeClass does not resolve launches nothing (its status says why).
  const pools = () =>
    kind === 'aws' ? view.nodePools.filter((p) => classLaunchable(view.nodeClassOf(p.pool))) : view.nodePools;
  const nodeClasses = setup.aws
    ? new ClusterNodeClasses({
        aws: setup.aws,
        classes: view.resources.nodeClasses,
        custom: kc.makeApiClient(CustomObjectsApi),
        events,
        logger: base.logger.child({ component: 'nodeclasses' }),
      })
    : undefined;
  const shared = new LeaderCaches(kc, base.logger);
  const unavailable = new UnavailableOfferings(() => Date.now());
  const core = kc.makeApiClient(CoreV1Api);
  const provisioning = new ClusterProvisioning(
    {
      cloud: setup.cloud,
      view,
      live,
      catalog: setup.catalog,
      logger: base.logger.child({ component: 'provisioner' }),
      metrics: base.metrics,
      joinTimeoutMs: joinTimeoutMs(opts.nodeJoinTimeout),
      nodeClassOf: nodeClassOf(pools),
      planner: solverThread(solverHeapMiB(opts.solverHeapMb)),
      onBounded: boundedEvents(events),
      workloads: view.workloadSource(),
      ...(kind === 'aws' ? { nodeApi: nodeApi(api) } : {}),
      unavailable,
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
    logger: base.logger.child({ component: 'disruption' }),
    metrics: base.metrics,
    validationMs: seconds('--disruption-delay', opts.disruptionDelay, 0) * 1000,
    joinTimeoutMs: joinTimeoutMs(opts.nodeJoinTimeout),
    nodeClassOf: nodeClassOf(pools),
  });
  const interruptions = setup.queue
    ? new ClusterInterruptions({
        queue: setup.queue,
        shared,
        ops: new ApiNodeOps(api, core, setup.cloud),
        unavailable,
        provisionNow: () => {
          provisioning.trigger();
        },
        drainNow: () => {
          disruption.now();
        },
        events,
        logger: base.logger.child({ component: 'interruption' }),
        metrics: base.metrics,
      })
    : undefined;
  const today = dailyToday(() => io.clock());
  const context = () => ({ view, policies: live.current, today: today() });
  const reports = opts.reports
    ? new ClusterReports({
        api,
        view,
        shared,
        live,
        context,
        logger: base.logger.child({ component: 'reports' }),
        metrics: base.metrics,
        resyncMs: seconds('--report-resync', opts.reportResync, 10) * 1000,
      })
    : undefined;
  const elector = new LeaderElector({
    api,
    namespace: opts.namespace,
    name: 'berth-leader',
    identity,
    logger: base.logger,
    onStart: () => {
      base.metrics.leader.set(1);
      controller.start();
      reports?.lead();
      disruption.lead();
      nodeClasses?.lead();
      interruptions?.lead();
      provisioning.lead().catch((e: unknown) => {
        base.logger.error({ err: String(e) }, 'provisioner did not start');
      });
    },
    onStop: () => {
      base.metrics.leader.set(0);
      controller.stop();
      void reports?.follow();
      void disruption.follow();
      void nodeClasses?.follow();
      void interruptions?.follow();
      void provisioning.follow();
    },
  });
  for (const r of Object.values(view.resources))
    r.onChange(() => {
      base.metrics.cacheSynced.set({ resource: r.spec.kind }, r.synced ? 1 : 0);
    });
  void view.start().then(() => {
    for (const st of view.syncState()) base.metrics.cacheSynced.set({ resource: st.name }, st.synced ? 1 : 0);
    base.logger.info({ caches: view.syncState() }, 'caches listed');
  });
  const denials = denialEvents(events);
  const deps: WebhookDeps = {
    ...base,
    context,
    checks: () => checks(view, live, elector),
    onDecision: (webhook, req, d) => {
      denials(webhook, req, d);
      provisioning.admitted(webhook, req, d);
    },
  };
  const running = await startWebhook(deps, s.listen, base.logger);
  elector.start();
  return {
    running,
    stop: async () => {
      await elector.stop();
      await reports?.follow();
      await disruption.follow();
      await nodeClasses?.follow();
      await interruptions?.follow();
      await provisioning.follow();
      await provisioning.close();
      setup.stop();
      await view.stop();
    },
  };
}
