/**
 * Which cache changes are news to the provisioner. A Node added or deleted is, and one whose place
 * in a plan changed: its labels, taints, cordon, allocatable, provider ID, readiness or deletion. A
 * kubelet's (or kwok's) status heartbeat changes none of these, yet each asked for a round: at 180
 * Nodes they came ~8 a second. A waiting pod is news when it comes or goes, and when what
 * kube-scheduler says of it changes; a gate lifted is not (a round plans gated pods as any other,
 * and the one that let it off had planned it). Without this, rounds ran back to back through a
 * 1,000-pod scale-out.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { ChangeVerb } from '../../kube/informers.js';

/** What of a Node a plan reads, as one comparable string. */
export function nodeShape(n: V1Node): string {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return JSON.stringify([
    n.metadata?.labels ?? {},
    n.metadata?.deletionTimestamp !== undefined,
    n.spec?.taints ?? [],
    n.spec?.unschedulable === true,
    n.spec?.providerID ?? '',
    n.status?.allocatable ?? {},
    ready ?? '',
  ]);
}

/** What of a waiting pod a round reads beyond its spec: deleting, kube-scheduler's verdict, its nomination. */
export function waitingPodShape(p: V1Pod): string {
  const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  return JSON.stringify([
    p.metadata?.deletionTimestamp !== undefined,
    scheduled?.status ?? '',
    scheduled?.reason ?? '',
    p.status?.nominatedNodeName ?? '',
  ]);
}

export class Changes<T> {
  /** Each object's shape when last seen, by key. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly key: (o: T) => string,
    private readonly shape: (o: T) => string,
  ) {}

  /** Whether `verb` on `o` is news; remembers its shape. */
  news(o: T, verb: ChangeVerb): boolean {
    const key = this.key(o);
    if (verb === 'delete') {
      this.seen.delete(key);
      return true;
    }
    const shape = this.shape(o);
    const before = this.seen.get(key);
    this.seen.set(key, shape);
    return verb === 'add' || before !== shape;
  }

  /** Stops remembering `o` (it left what is watched, e.g. a pod bound to a Node); whether it was. */
  forget(o: T): boolean {
    return this.seen.delete(this.key(o));
  }
}

/** Whether kube-scheduler found no room for the pod (PodScheduled False, reason Unschedulable). */
export function refusedByScheduler(p: V1Pod): boolean {
  const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
  return c?.status === 'False' && c.reason === 'Unschedulable';
}

/**
 * The waiting pods kube-scheduler found no room for. While there are any, a pod bound or a bound pod
 * deleted is news too: a round may have counted on room on their planned Node that it had not seen
 * taken yet (its cache behind kube-scheduler's), and held them there; the binding that took it, or
 * the deletion that frees room, says nothing of theirs. Without this, 26 such pods of a 1,000-pod
 * scale-out waited 8 s for the provisioner's 10-s resync before their capacity was bought.
 */
export class Refused {
  private readonly uids = new Set<string>();

  /** Takes a pod's change (`bound`: it was waiting and is bound now); whether to look again. */
  seen(p: V1Pod, verb: ChangeVerb, bound: boolean): boolean {
    const uid = p.metadata?.uid ?? '';
    if (verb === 'delete' || p.spec?.nodeName !== undefined) {
      this.uids.delete(uid);
      return this.uids.size > 0 && (bound || (verb === 'delete' && p.spec?.nodeName !== undefined));
    }
    if (refusedByScheduler(p)) this.uids.add(uid);
    else this.uids.delete(uid);
    return false;
  }

  get size(): number {
    return this.uids.size;
  }
}
