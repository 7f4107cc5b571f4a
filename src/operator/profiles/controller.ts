/**
 * The profile controller (leader only): keeps each bound workload's generated PDB in step with its
 * profile, and writes every profile's status. Reconciles on any change of profiles, workloads or
 * PDBs (debounced) and every minute; all decisions are reconcile.ts's and status.ts's.
 */
import {
  PatchStrategy,
  setHeaderOptions,
  type CustomObjectsApi,
  type KubernetesObjectApi,
  type V1PodDisruptionBudget,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { InformerClusterView } from '../../kube/cluster-view.js';
import type { EventSink } from '../../kube/events.js';
import type { KubeObject } from '../../kube/objects.js';
import { evaluate, todayOf } from '../../policies/engine.js';
import type { LivePolicies } from '../../policies/live.js';
import {
  PROFILE_API_VERSION,
  PROFILE_GROUP,
  PROFILE_VERSION,
  type WorkloadProfile,
} from '../../policies/schema/profile-schema.js';
import { bindings, MANAGED_BY, reconcilePdbs, type PdbAction } from './reconcile.js';
import { profileStatus } from './status.js';
import { SerialTask } from '../../util/serial-task.js';
import { canonicalJson } from '../../util/canonical.js';
import type { LeaderDuty } from '../duty.js';
import type { ControllerMetrics } from '../../observability/controller-metrics.js';

export interface ControllerDeps {
  api: KubernetesObjectApi;
  custom: CustomObjectsApi;
  view: InformerClusterView;
  live: LivePolicies;
  events: EventSink;
  logger: Logger;
  clock?: () => Date;
  debounceMs?: number;
  resyncMs?: number;
  controllers?: ControllerMetrics;
}

export class ProfileController implements LeaderDuty {
  readonly name = 'profiles';
  private resync: NodeJS.Timeout | undefined;
  private readonly loop: SerialTask;
  private readonly clock: () => Date;

  constructor(private readonly d: ControllerDeps) {
    this.clock = d.clock ?? (() => new Date());
    this.loop = new SerialTask(
      () => this.reconcileOnce(),
      (e) => {
        d.logger.error({ err: String(e) }, 'reconcile failed');
      },
      d.debounceMs ?? 200,
      d.controllers?.for('workloadprofile'),
    );
    const r = d.view.resources;
    for (const res of [r.profiles, r.deployments, r.statefulsets, r.pdbs, r.nodePools])
      res.onChange(() => {
        this.schedule();
      });
    d.live.onReload(() => {
      this.schedule();
    });
  }

  start(): void {
    this.loop.start();
    this.schedule();
    this.resync = setInterval(() => {
      this.schedule();
    }, this.d.resyncMs ?? 60_000);
  }

  stop(): void {
    this.loop.stop();
    clearInterval(this.resync);
  }

  private schedule(): void {
    this.loop.schedule();
  }

  private profiles(): WorkloadProfile[] {
    return this.d.view.resources.profiles.list() as unknown as WorkloadProfile[];
  }

  private workloads(): KubeObject[] {
    const r = this.d.view.resources;
    return [...r.deployments.list(), ...r.statefulsets.list()] as KubeObject[];
  }

  async reconcileOnce(): Promise<void> {
    const policies = this.d.live.current;
    const managedPdbs = (this.d.view.resources.pdbs.list() as V1PodDisruptionBudget[]).filter(
      (p) => p.metadata?.labels?.[MANAGED_BY.key] === MANAGED_BY.value,
    );
    const profiles = this.profiles();
    const workloads = this.workloads();
    for (const action of reconcilePdbs({ profiles, workloads, managedPdbs, policies }))
      await this.apply(action);
    const bound = bindings({ profiles, workloads, policies });
    for (const profile of profiles)
      await this.writeStatus(
        profile,
        bound.filter((b) => b.profile === profile).map((b) => b.workload),
      );
  }

  private async write(a: PdbAction): Promise<string> {
    if (a.op === 'delete') {
      const ref = {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: a.name, namespace: a.namespace },
      };
      await this.d.api.delete(ref);
      return `${a.namespace}/${a.name}`;
    }
    if (a.op === 'create') await this.d.api.create(a.pdb);
    else await this.d.api.replace(a.pdb);
    return `${a.pdb.metadata?.namespace ?? ''}/${a.pdb.metadata?.name ?? ''}`;
  }

  private async apply(a: PdbAction): Promise<void> {
    try {
      const pdb = await this.write(a);
      this.d.logger.info(
        { op: a.op, pdb, ...(a.op === 'create' ? {} : { reason: a.reason }) },
        'generated PDB',
      );
    } catch (e) {
      this.d.logger.warn({ op: a.op, err: String(e) }, 'generated PDB not written');
      if (a.op === 'delete') return;
      const m = a.pdb.metadata ?? {};
      const profile = m.labels?.['berth.dev/profile'];
      if (profile === undefined) return;
      this.d.events.emit({
        involved: {
          apiVersion: PROFILE_API_VERSION,
          kind: 'WorkloadProfile',
          namespace: m.namespace ?? '',
          name: profile,
        },
        type: 'Warning',
        reason: 'PDBNotWritten',
        message: `could not ${a.op} PodDisruptionBudget ${m.name ?? ''}: ${String(e)}`,
      });
    }
  }

  private async writeStatus(profile: WorkloadProfile, bound: KubeObject[]): Promise<void> {
    const policies = this.d.live.current;
    const ns = profile.metadata.namespace ?? '';
    const verdict = evaluate(profile as unknown as KubeObject, this.d.view, policies, {
      today: todayOf(this.clock),
      defaultNamespace: ns,
    });
    const status = profileStatus({
      profile,
      verdict,
      bound,
      policies,
      pools: this.d.view.nodePools,
      now: this.clock(),
    });
    // The API server returns keys sorted; compare canonically so an unchanged status is not re-sent.
    if (canonicalJson(status) === canonicalJson(profile.status ?? {})) return;
    const wasReady = profile.status?.conditions?.find((c) => c.type === 'Ready');
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status === 'False' && wasReady?.status !== 'False')
      this.d.events.emit({
        involved: {
          apiVersion: profile.apiVersion,
          kind: 'WorkloadProfile',
          namespace: ns,
          name: profile.metadata.name,
        },
        type: 'Warning',
        reason: ready.reason ?? 'NotReady',
        message: ready.message ?? '',
      });
    try {
      await this.d.custom.patchNamespacedCustomObjectStatus(
        {
          group: PROFILE_GROUP,
          version: PROFILE_VERSION,
          namespace: ns,
          plural: 'workloadprofiles',
          name: profile.metadata.name,
          body: { status },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (e) {
      this.d.logger.warn({ profile: `${ns}/${profile.metadata.name}`, err: String(e) }, 'status not written');
    }
  }
}
