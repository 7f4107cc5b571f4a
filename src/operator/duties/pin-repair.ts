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
import { pinnable, pinnedNode } from '../../kube/pod-pins.js';
import type { Metrics } from '../../observability/metrics.js';
import { LABEL } from '../../catalog/instance-type.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import { existingNode, startingTaint } from '../../provisioner/input/nodes.js';
import { untoleratedTaint, type Taint } from '../../scheduling/taints.js';
import { requestsOf } from '../../provisioner/input/pods.js';
import { pinFault, type PinFault, type PinnedPod } from '../../provisioner/controller/pin-faults.js';
import type { LeaderDuty } from '../duty.js';

/** How long changes are gathered before a look. */
const BATCH_MS = 250;

const FAULT_TEXT: Readonly<Record<PinFault, string>> = {
  'node-gone': 'is gone',
  'node-closed': 'is cordoned or being deleted',
  taint: 'has a taint the pod does not tolerate',
  'no-room': 'has no room left for it',
  unschedulable: 'kube-scheduler could not place it on for 10 s',
};

export interface PinRepairDeps {
  readonly core: Pick<CoreV1Api, 'deleteNamespacedPod'>;
  readonly shared: Pick<LeaderCaches, 'acquire' | 'release'>;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'pinsUndone'>;
  readonly now?: () => number;
  /** How often pinned pods are looked at without a change (default 5 s). */
  readonly sweepMs?: number;
  /** The NodePools, for each Node's startupTaints (an agent lifts them once the node is up). */
  readonly view?: { readonly nodePools: readonly PoolView[] };
}

/** A pinned pod kube-scheduler has not bound yet (and nothing else holds back), with its Node. */
function waitingPin(p: V1Pod): string | undefined {
  if (p.spec?.nodeName !== undefined || p.metadata?.deletionTimestamp !== undefined) return undefined;
  if ((p.spec?.schedulingGates?.length ?? 0) > 0 || !pinnable(p)) return undefined;
  return pinnedNode(p);
}

/** Since when kube-scheduler has said it cannot place the pod (ms), if it says so. */
function unschedulableSince(p: V1Pod): number | undefined {
  const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
  if (c?.status !== 'False' || c.reason !== 'Unschedulable') return undefined;
  return c.lastTransitionTime === undefined ? undefined : new Date(c.lastTransitionTime).getTime();
}

/** A waiting pinned pod as pin-faults.ts reads it, beside its Node's start-up taints. */
function pinnedPod(pod: V1Pod, node: V1Node | undefined, startup: readonly Taint[]): PinnedPod {
  const spec = pod.spec ?? { containers: [] };
  const since = unschedulableSince(pod);
  const tolerations = spec.tolerations ?? [];
  const starting = (node?.spec?.taints ?? []).filter((t) => startingTaint(t, startup));
  return {
    requests: requestsOf(spec),
    tolerations,
    ...(since === undefined ? {} : { unschedulableSince: since }),
    ...(untoleratedTaint(starting, tolerations) ? { nodeStarting: true } : {}),
  };
}

/** The pods bound to each of `names`. */
function boundTo(pods: readonly V1Pod[], names: ReadonlySet<string>): Map<string, V1Pod[]> {
  const out = new Map<string, V1Pod[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (n === undefined || !names.has(n)) continue;
    const list = out.get(n);
    if (list) list.push(p);
    else out.set(n, [p]);
  }
  return out;
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
      this.look();
    }, this.d.sweepMs ?? 5_000);
  }

  private soon(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.look();
    }, BATCH_MS);
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
    const live = new Set(waiting.map((w) => w.pod.metadata?.uid ?? ''));
    for (const uid of this.undone) if (!live.has(uid)) this.undone.delete(uid);
    if (waiting.length === 0) return;
    const bound = boundTo(all, new Set(waiting.map((w) => w.node)));
    const now = (this.d.now ?? Date.now)();
    for (const { pod, node } of waiting) {
      const obj = nodes.get(node);
      const startup = obj ? this.startupTaints(obj) : [];
      const view = obj ? existingNode(obj, bound.get(node) ?? [], false, startup) : undefined;
      const fault = pinFault(pinnedPod(pod, obj, startup), view, now);
      if (fault) void this.undo(pod, node, fault);
    }
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
        message: `pod ${name} was let through pinned to node ${node}, which ${FAULT_TEXT[fault]}; deleted for the ${owner.kind} to make again`,
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
