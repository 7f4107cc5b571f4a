/**
 * Two provisioners must never buy for the same pending pods. In provisioner.mode: berth the duties
 * that buy and give back capacity (node classes, interruptions, disruption, provisioning) start only
 * once no Karpenter controller is seen running: its leader-election Lease renewed lately, or an
 * available Deployment labelled app.kubernetes.io/name=karpenter. While one is, Berth says so once
 * (log line, Warning Event, `berth_provisioner_blocked 1`), keeps serving admission, and looks again
 * every recheck interval; `--take-over-from-karpenter` skips the check.
 */
import type { KubernetesObjectApi, V1Deployment, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { EventSink } from '../../kube/events.js';
import type { LeaderDuty } from '../duty.js';
import { reconcile, type ControllerMetrics } from '../../observability/controller-metrics.js';

/** Karpenter's leader-election Lease (its --leader-election-name default). */
export const KARPENTER_LEASE = 'karpenter-leader-election';

/** What was seen of another provisioner, for a person: "Lease karpenter/karpenter-leader-election …". */
export type Detect = () => Promise<string | undefined>;

/** A Lease counts as held when renewed within this (Karpenter's lease lasts 15 s). */
const FRESH_MS = 60_000;

/** A renewed Karpenter Lease, said for a person; undefined when none is held lately. */
function heldLease(leases: readonly V1Lease[], now: number): string | undefined {
  for (const l of leases) {
    const renewed = l.spec?.renewTime ? new Date(l.spec.renewTime).getTime() : Number.NaN;
    const holder = l.spec?.holderIdentity;
    if (holder && now - renewed < FRESH_MS)
      return `Lease ${l.metadata?.namespace ?? ''}/${KARPENTER_LEASE} held by ${holder}, renewed ${Math.round((now - renewed) / 1000)}s ago`;
  }
  return undefined;
}

function availableDeployment(deployments: readonly V1Deployment[]): string | undefined {
  const d = deployments.find((x) => (x.status?.availableReplicas ?? 0) > 0);
  if (!d) return undefined;
  const at = `${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`;
  return `Deployment ${at} has ${d.status?.availableReplicas ?? 0} available replicas`;
}

export function karpenterDetector(api: KubernetesObjectApi, now: () => number): Detect {
  const list = <T extends V1Lease | V1Deployment>(
    apiVersion: string,
    kind: string,
    field?: string,
    label?: string,
  ) => api.list<T>(apiVersion, kind, undefined, undefined, undefined, undefined, field, label);
  return async () => {
    const leases = await list<V1Lease>('coordination.k8s.io/v1', 'Lease', `metadata.name=${KARPENTER_LEASE}`);
    const lease = heldLease(leases.items, now());
    if (lease !== undefined) return lease;
    const deployments = await list<V1Deployment>(
      'apps/v1',
      'Deployment',
      undefined,
      'app.kubernetes.io/name=karpenter',
    );
    return availableDeployment(deployments.items);
  };
}

export interface GuardDeps {
  /** The duties that buy or give back capacity, started in this order once it is safe. */
  readonly inner: readonly LeaderDuty[];
  readonly detect: Detect;
  /** --take-over-from-karpenter: start without looking. */
  readonly takeOver: boolean;
  /** Only mode berth provisions; in karpenter and off the inner duties do nothing anyway. */
  readonly mode: () => 'berth' | 'karpenter' | 'off';
  readonly events: EventSink;
  readonly namespace: string;
  readonly logger: Logger;
  readonly blocked: { set(value: number): void };
  readonly recheckMs: number;
  readonly controllers?: ControllerMetrics;
}

export class ProvisioningGuard implements LeaderDuty {
  readonly name = 'karpenter-guard';
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private said: string | undefined;
  private leading = false;

  constructor(private readonly d: GuardDeps) {}

  async start(): Promise<void> {
    this.leading = true;
    await this.attempt();
  }

  private async attempt(): Promise<void> {
    if (!this.leading || this.started) return;
    const seen = await reconcile(
      this.d.controllers,
      'karpenter-guard',
      () => this.sighting(),
      (s) => (s === undefined ? 'success' : 'requeue_after'),
    );
    if (!this.isLeading()) return; // the Lease was lost while looking
    if (seen === undefined) {
      this.d.blocked.set(0);
      if (this.said !== undefined) this.d.logger.info('Karpenter is no longer running; provisioning starts');
      this.said = undefined;
      this.started = true;
      for (const duty of this.d.inner) await duty.start();
      return;
    }
    this.d.blocked.set(1);
    if (this.said !== seen) this.refuse(seen);
    this.said = seen;
    this.timer = setTimeout(() => void this.attempt(), this.d.recheckMs);
    this.timer.unref();
  }

  private async sighting(): Promise<string | undefined> {
    if (this.d.takeOver || this.d.mode() !== 'berth') return undefined;
    try {
      return await this.d.detect();
    } catch (e) {
      // Unable to look (RBAC, API down): refusing is the safe side; say why.
      return `could not look for a running Karpenter (${(e as Error).message})`;
    }
  }

  private refuse(seen: string): void {
    const message = `another provisioner is running (${seen}): Berth does not provision or disrupt nodes while it is; set provisioner.mode: karpenter to run beside it, or stop it and pass --take-over-from-karpenter to replace it`;
    this.d.logger.error({ seen }, message);
    this.d.events.emit({
      involved: { apiVersion: 'v1', kind: 'ConfigMap', namespace: this.d.namespace, name: 'berth-policies' },
      type: 'Warning',
      reason: 'ProvisioningRefused',
      message,
    });
  }

  private isLeading(): boolean {
    return this.leading;
  }

  async stop(): Promise<void> {
    this.leading = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.said = undefined;
    this.d.blocked.set(0);
    if (!this.started) return;
    this.started = false;
    for (const duty of [...this.d.inner].reverse()) await duty.stop();
  }
}
