/**
 * The pin-repair duty (Lease holder, beside the scheduling gates): a pod the gate let through pinned
 * to its planned Node (kube/pod-pins.ts) that cannot go there (provisioner/controller/pin-faults.ts)
 * is deleted, with its uid as a precondition, so that its controller makes it again behind the gate
 * and the next round plans it afresh. It looks when such a pod changes (kube-scheduler saying it
 * cannot place it), when a Node goes or closes, and on a sweep every few seconds, whoever pinned the
 * pod (a previous leader too). An Event on the pod's controller says why.
 */
import type { CoreV1Api, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { statusOf } from '../../kube/client.js';
import type { EventSink } from '../../kube/events.js';
import type { Resource } from '../../kube/informers.js';
import type { LeaderCaches } from '../../kube/leader-caches.js';
import type { Metrics } from '../../observability/metrics.js';
import { reconcileSync } from '../../observability/controller-metrics.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { existingNode, podsByNode } from '../../provisioner/input/nodes.js';
import type { Taint } from '../../scheduling/taints.js';
import { PIN_FAULT_TEXT, pinFault, type PinFault } from '../../provisioner/controller/pin-faults.js';
import { pinnedPod, refused, waitingPin } from './pin-ledger.js';
import type { LeaderDuty } from '../duty.js';

/** How long changes are gathered before a look. */
const BATCH_MS = 250;

export interface PinRepairDeps {
  readonly core: Pick<CoreV1Api, 'deleteNamespacedPod'>;
  readonly shared: Pick<LeaderCaches, 'acquire' | 'release'>;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'pinsUndone'> & Partial<Pick<Metrics, 'controllers'>>;
  readonly now?: () => number;
  /** How often pinned pods are looked at without a change (default 5 s). */
  readonly sweepMs?: number;
  /** The NodePools, for each Node's startupTaints (an agent lifts them once the node is up). */
  readonly view?: { readonly nodePools: readonly PoolView[] };
}

export class PinRepair implements LeaderDuty {
  readonly name = 'pin-repair';
  private pods: Resource<V1Pod> | undefined;
  private nodes: Resource<V1Node> | undefined;
  private unwatch: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;
  /** Pods (uid) deleted or being deleted, until the cache no longer shows them waiting. */
  private readonly undone = new Set<string>();
  /** When a look first saw kube-scheduler refuse each waiting pod (uid → ms). */
  private readonly refusedSince = new Map<string, number>();

  constructor(private readonly d: PinRepairDeps) {}

  start(): void {
    const pods = (this.pods = this.d.shared.acquire<V1Pod>('pods'));
    const nodes = (this.nodes = this.d.shared.acquire<V1Node>('nodes'));
    this.unwatch = [
      pods.onChange((p, verb) => {
        if (verb !== 'delete' && waitingPin(p) !== undefined) this.soon();
      }),
      nodes.onChange((n, verb) => {
        if (verb === 'delete' || n.spec?.unschedulable === true || (n.spec?.taints?.length ?? 0) > 0)
          this.soon();
      }),
    ];
    this.sweep = setInterval(() => {
      this.reconcile();
    }, this.d.sweepMs ?? 5_000);
  }

  private soon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.reconcile();
    }, BATCH_MS);
  }

  private reconcile(): void {
    reconcileSync(this.d.metrics.controllers, 'pin-repair', () => {
      this.look();
    });
  }

  /** Deletes each waiting pinned pod whose pin cannot hold. */
  look(): void {
    const pods = this.pods;
    const nodes = this.nodes;
    if (!pods?.synced || !nodes?.synced) return;
    const all = pods.list();
    const waiting = all.flatMap((p) => {
      const node = waitingPin(p);
      return node === undefined ? [] : [{ pod: p, node }];
    });
    const now = (this.d.now ?? Date.now)();
    const live = this.track(
      waiting.map((w) => w.pod),
      now,
    );
    for (const uid of this.undone) if (!live.has(uid)) this.undone.delete(uid);
    if (waiting.length === 0) return;
    const bound = podsByNode(all);
    for (const { pod, node } of waiting) {
      const fault = this.faultOf(pod, nodes.get(node), bound.get(node) ?? [], now);
      if (fault) void this.undo(pod, node, fault);
    }
  }

  /** What is wrong with a waiting pod's pin to `node` (undefined: gone), beside the pods bound there. */
  private faultOf(pod: V1Pod, node: V1Node | undefined, bound: readonly V1Pod[], now: number) {
    const startup = node ? this.startupTaints(node) : [];
    const since = this.refusedSince.get(pod.metadata?.uid ?? '');
    const view = node ? existingNode(node, bound, false, startup) : undefined;
    return pinFault(pinnedPod(pod, since, node, startup), view, now);
  }

  /** Notes when each waiting pod was first seen refused (forgetting the others); their uids. */
  private track(waiting: readonly V1Pod[], now: number): Set<string> {
    const live = new Set<string>();
    for (const p of waiting) {
      const uid = p.metadata?.uid ?? '';
      live.add(uid);
      if (!refused(p)) this.refusedSince.delete(uid);
      else if (!this.refusedSince.has(uid)) this.refusedSince.set(uid, now);
    }
    for (const uid of this.refusedSince.keys()) if (!live.has(uid)) this.refusedSince.delete(uid);
    return live;
  }

  private startupTaints(node: V1Node): readonly Taint[] {
    const pool = node.metadata?.labels?.[LABEL.nodePool];
    return this.d.view?.nodePools.find((p) => p.name === pool)?.pool.spec.template.spec.startupTaints ?? [];
  }

  private async undo(pod: V1Pod, node: string, fault: PinFault): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    if (this.undone.has(uid)) return;
    this.undone.add(uid);
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    try {
      await this.d.core.deleteNamespacedPod({ name, namespace, body: { preconditions: { uid } } });
    } catch (e) {
      const code = statusOf(e);
      if (code !== 404 && code !== 409) {
        this.undone.delete(uid);
        this.d.logger.warn({ pod: `${namespace}/${name}`, err: String(e) }, 'pinned pod not deleted');
      }
      return;
    }
    this.d.metrics.pinsUndone.inc({ reason: fault });
    this.d.logger.info(
      { pod: `${namespace}/${name}`, node, reason: fault },
      'pin undone: pod deleted for its controller to make again',
    );
    const owner = pod.metadata?.ownerReferences?.find((o) => o.controller === true);
    if (owner)
      this.d.events.emit({
        involved: {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          namespace,
          name: owner.name,
          uid: owner.uid,
        },
        type: 'Normal',
        reason: 'PinnedPodReplaced',
        message: `pod ${name} was let through pinned to node ${node}, which ${PIN_FAULT_TEXT[fault]}; deleted for the ${owner.kind} to make again`,
      });
  }

  async stop(): Promise<void> {
    clearInterval(this.sweep);
    this.sweep = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const u of this.unwatch) u();
    this.unwatch = [];
    this.undone.clear();
    this.refusedSince.clear();
    if (this.pods) {
      this.pods = undefined;
      await this.d.shared.release('pods');
    }
    if (this.nodes) {
      this.nodes = undefined;
      await this.d.shared.release('nodes');
    }
  }
}
