/**
 * The report scan inside `berth serve` (Lease holder only): the webhook's caches plus the leader's
 * shared ones for the kinds only it watches, the live policies and NodePools as triggers, and the
 * API server as the store.
 */
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AdmissionContext } from '../../admission/admit.js';
import type { InformerClusterView } from '../../kube/cluster-view.js';
import { kinded, type LeaderCaches, type LeaderResource } from '../../kube/leader-caches.js';
import type { Metrics } from '../../observability/metrics.js';
import type { LivePolicies } from '../../policies/live.js';
import { ReportController } from '../../reports/controller.js';
import { ApiReportStore } from '../../reports/store.js';
import type { LeaderDuty } from '../duty.js';
import { ClusterNativePolicies } from '../../policies/native/cluster-source.js';

/** How often the cluster's ValidatingAdmissionPolicies, bindings and params are read again. */
const NATIVE_REFRESH_MS = 30_000;

/** Kinds judged that the webhook's caches do not hold. */
const LEADER_KINDS: readonly LeaderResource[] = ['replicaSets', 'jobs', 'cronJobs', 'daemonSets', 'pods'];

export interface ReportingDeps {
  readonly api: KubernetesObjectApi;
  readonly view: InformerClusterView;
  readonly shared: LeaderCaches;
  readonly live: LivePolicies;
  readonly context: () => AdmissionContext;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly resyncMs: number;
}

export class ClusterReports implements LeaderDuty {
  readonly name = 'reports';
  private controller: ReportController | undefined;
  private readonly native: ClusterNativePolicies;
  private nativeTimer: NodeJS.Timeout | undefined;
  private nativeChanged: (() => void) | undefined;

  constructor(private readonly d: ReportingDeps) {
    this.native = new ClusterNativePolicies(d.api);
  }

  /** Reads the cluster's native policies; a change re-judges everything. */
  private async refreshNative(): Promise<void> {
    try {
      const r = await this.native.refresh();
      for (const u of r.unreadable) this.d.logger.warn({ paramKind: u }, 'native policy params unreadable');
      if (r.changed) {
        this.d.logger.info({ policies: r.set.size }, 'ValidatingAdmissionPolicies read');
        this.nativeChanged?.();
      }
    } catch (e) {
      this.d.logger.warn(
        { err: String(e) },
        'ValidatingAdmissionPolicies unreadable: the scan judges without them',
      );
    }
  }

  start(): void {
    if (this.controller) return;
    const r = this.d.view.resources;
    // NodePools and EC2NodeClasses are cluster-scoped: their results go to a ClusterPolicyReport.
    const own = [
      ...[r.deployments, r.statefulsets, r.replicationControllers, r.pdbs, r.hpas, r.profiles],
      ...[r.nodePools, r.nodeClasses],
    ];
    const sources = [...own.map(kinded), ...LEADER_KINDS.map((k) => kinded(this.d.shared.acquire(k)))];
    this.controller = new ReportController({
      sources,
      everything: [
        (l) =>
          this.d.live.onReload((res) => {
            if (res.applied) l();
          }),
        (l) =>
          r.nodePools.onChange(() => {
            l();
          }),
        (l) => {
          this.nativeChanged = l;
          return () => {
            this.nativeChanged = undefined;
          };
        },
      ],
      namespaces: kinded(r.namespaces),
      context: () => ({ ...this.d.context(), native: this.native.set }),
      store: new ApiReportStore(this.d.api),
      logger: this.d.logger,
      metrics: this.d.metrics,
      clock: () => new Date(),
      resyncMs: this.d.resyncMs,
    });
    this.controller.start();
    void this.refreshNative();
    this.nativeTimer = setInterval(() => void this.refreshNative(), NATIVE_REFRESH_MS);
    this.nativeTimer.unref();
    this.d.logger.info({ resyncSeconds: this.d.resyncMs / 1000 }, 'report scan leading');
  }

  async stop(): Promise<void> {
    if (!this.controller) return;
    clearInterval(this.nativeTimer);
    this.nativeTimer = undefined;
    this.controller.stop();
    this.controller = undefined;
    await Promise.all(LEADER_KINDS.map((k) => this.d.shared.release(k)));
  }
}
