/**
 * Metrics observed from object changes the leader's caches see: NodeClaims registered and gone
 * (Karpenter's nodes created, nodeclaims and nodes terminated, node termination duration; claims
 * created are counted by the launcher, which knows why), and pods
 * becoming Ready (Karpenter's pod startup duration; Berth's pending → node Ready → running for pods
 * that waited for a node Berth launched). Objects already there when a cache lists are not counted.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { LABEL } from '../catalog/instance-type.js';
import type { KubeObject } from '../kube/objects.js';
import type { Metrics } from './metrics.js';

type Claim = KubeObject & {
  metadata?: KubeObject['metadata'] & { deletionTimestamp?: Date | string };
  status?: {
    nodeName?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: Date | string }[];
  };
};

/** A timestamp in ms; undefined when absent (a condition written without lastTransitionTime reads as null). */
const time = (t: Date | string | null | undefined): number | undefined => {
  if (t === undefined || t === null) return undefined;
  const ms = new Date(t).getTime();
  return Number.isFinite(ms) ? ms : undefined;
};
const condition = (c: Claim, type: string) => c.status?.conditions?.find((x) => x.type === type);
const isTrue = (c: Claim, type: string) => condition(c, type)?.status === 'True';

interface Place {
  nodepool: string;
  zone: string;
  capacityType: string;
}
function placeOf(c: Claim): Place {
  const l = c.metadata?.labels ?? {};
  return {
    nodepool: l[LABEL.nodePool] ?? '',
    zone: l[LABEL.zone] ?? '',
    capacityType: l[LABEL.capacityType] ?? '',
  };
}

/**
 * When a Ready condition became True (ms): undefined while it is not True, null when True with no
 * transition time recorded.
 */
function readySince(
  conditions: readonly { type: string; status: string; lastTransitionTime?: Date | string }[] | undefined,
): number | null | undefined {
  const ready = conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  if (!ready) return undefined;
  return time(ready.lastTransitionTime) ?? null;
}

export class LifecycleObserver {
  private readonly registered = new Set<string>();
  private readonly started = new Set<string>();

  constructor(
    private readonly metrics: Metrics,
    private readonly now: () => number,
  ) {}

  /** A NodeClaim change; `live` is false while the cache lists what already exists. */
  claim(obj: KubeObject, verb: 'add' | 'update' | 'delete', live: boolean): void {
    const c = obj as Claim;
    const name = c.metadata?.name ?? '';
    const where = placeOf(c);
    if (verb === 'delete') {
      this.gone(c, where);
      return;
    }
    if (!isTrue(c, 'Registered') || this.registered.has(name)) return;
    this.registered.add(name);
    if (live) this.metrics.karpenter.nodesCreated.inc({ nodepool: where.nodepool, zone: where.zone });
  }

  private gone(c: Claim, where: Place): void {
    const k = this.metrics.karpenter;
    const { nodepool, zone } = where;
    k.nodeClaimsTerminated.inc({ nodepool, capacity_type: where.capacityType, zone });
    const wasNode = this.registered.delete(c.metadata?.name ?? '') || isTrue(c, 'Registered');
    if (!wasNode) return;
    k.nodesTerminated.inc({ nodepool, zone });
    const asked = time(c.metadata?.deletionTimestamp);
    if (asked !== undefined)
      k.nodesTerminationDuration.observe({ nodepool }, Math.max(0, this.now() - asked) / 1000);
  }

  /** A pod change: its first Ready=True observes its startup; `nodeOf` finds the Node it runs on. */
  pod(
    p: V1Pod,
    verb: 'add' | 'update' | 'delete',
    live: boolean,
    nodeOf: (name: string) => V1Node | undefined,
  ): void {
    const key = p.metadata?.uid ?? `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
    if (verb === 'delete') {
      this.started.delete(key);
      return;
    }
    const ready = readySince(p.status?.conditions);
    if (ready === undefined || this.started.has(key)) return;
    this.started.add(key);
    if (live) this.becameReady(p, ready ?? this.now(), nodeOf);
  }

  /** A pod that became Ready at `running` (ms) while the cache watched. */
  private becameReady(p: V1Pod, running: number, nodeOf: (name: string) => V1Node | undefined): void {
    const created = time(p.metadata?.creationTimestamp);
    if (created === undefined) return;
    this.metrics.karpenter.podsStartupDuration.observe(Math.max(0, running - created) / 1000);
    this.provisioned(created, running, nodeOf(p.spec?.nodeName ?? ''));
  }

  /** The stages of a pod that waited for a node Berth launched: created before the node became Ready. */
  private provisioned(created: number, running: number, node: V1Node | undefined): void {
    if (node?.metadata?.labels?.[LABEL.nodePool] === undefined) return;
    const nodeReady = readySince(node.status?.conditions);
    if (nodeReady === undefined || nodeReady === null || nodeReady < created) return;
    const h = this.metrics.podProvisioning;
    h.observe({ stage: 'pending_to_node_ready' }, (nodeReady - created) / 1000);
    h.observe({ stage: 'node_ready_to_running' }, Math.max(0, running - nodeReady) / 1000);
    h.observe({ stage: 'pending_to_running' }, Math.max(0, running - created) / 1000);
  }
}
