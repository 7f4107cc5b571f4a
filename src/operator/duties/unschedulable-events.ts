/**
 * Events where a person looks when pods stay Pending: on each waiting pod's owner (its Deployment
 * through the ReplicaSet, its StatefulSet, Job, …; the pod itself when it has none), one per owner and
 * reason, saying how many of its pods no NodePool can take now and why (a pool at its limits, a
 * requirement no pool meets, the largest type too small); and on the first few of those pods, the
 * same reason in the words `berth why pod` uses.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { EventSink, InvolvedObject } from '../../kube/events.js';
import type { KubeObject } from '../../kube/objects.js';
import type { Unschedulable } from '../../provisioner/solver/model.js';
import { count } from '../../util/canonical.js';
import { noPoolFor } from '../../provisioner/solver/explain.js';

export interface OwnerLookup {
  readonly pods: () => readonly V1Pod[];
  /** Deployments, StatefulSets, … (the view's workload caches), for their uid. */
  readonly workloads: () => readonly KubeObject[];
}

/** The Deployment a ReplicaSet-owned pod belongs to (`<deployment>-<pod-template-hash>`), if cached. */
function deploymentOf(
  pod: V1Pod,
  rs: string,
  ns: string,
  workloads: readonly KubeObject[],
): KubeObject | undefined {
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (hash === undefined || !rs.endsWith(`-${hash}`)) return undefined;
  const name = rs.slice(0, -hash.length - 1);
  return workloads.find(
    (w) => w.kind === 'Deployment' && w.metadata?.namespace === ns && w.metadata.name === name,
  );
}

/** The object `kubectl describe` of which should show why the pod waits. */
export function ownerOf(pod: V1Pod, workloads: readonly KubeObject[]): InvolvedObject {
  const meta = pod.metadata ?? {};
  const ns = meta.namespace ?? 'default';
  const owners = meta.ownerReferences ?? [];
  const ref = owners.find((o) => o.controller === true) ?? owners[0];
  if (!ref) return { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: meta.name ?? '', uid: meta.uid };
  const d = ref.kind === 'ReplicaSet' ? deploymentOf(pod, ref.name, ns, workloads) : undefined;
  if (d)
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: ns,
      name: d.metadata?.name ?? '',
      uid: d.metadata?.uid,
    };
  return { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ns, name: ref.name, uid: ref.uid };
}

/** Pods of one owner and reason told on themselves each round (the owner's Event counts them all). */
const PODS_TOLD = 5;

const involvedPod = (pod: V1Pod): InvolvedObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  namespace: pod.metadata?.namespace ?? 'default',
  name: pod.metadata?.name ?? '',
  uid: pod.metadata?.uid,
});

export function unschedulableEvents(
  events: EventSink,
  lookup: OwnerLookup,
): (u: readonly Unschedulable[]) => void {
  return (unschedulable) => {
    const byId = new Map(
      lookup.pods().map((p) => [`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`, p]),
    );
    const workloads = lookup.workloads();
    const grouped = new Map<string, { owner: InvolvedObject; reason: string; pods: V1Pod[] }>();
    for (const u of unschedulable) {
      const pod = byId.get(u.pod);
      if (!pod) continue; // a replica only admitted so far: its pod gets the Event once it exists
      const owner = ownerOf(pod, workloads);
      const key = `${owner.kind}/${owner.namespace}/${owner.name}/${u.reason}`;
      const g = grouped.get(key) ?? { owner, reason: u.reason, pods: [] };
      g.pods.push(pod);
      grouped.set(key, g);
    }
    for (const g of [...grouped.values()].slice(0, 50)) {
      events.emit({
        involved: g.owner,
        type: 'Warning',
        reason: 'ProvisioningFailed',
        message: `${count(g.pods.length, 'pod')} waiting for a node that no NodePool can launch now: ${g.reason}`,
      });
      // `kubectl describe pod` shows it too, for the first pods of each owner (berth why pod says the same).
      for (const pod of g.owner.kind === 'Pod' ? [] : g.pods.slice(0, PODS_TOLD))
        events.emit({
          involved: involvedPod(pod),
          type: 'Warning',
          reason: 'ProvisioningFailed',
          message: noPoolFor(g.reason),
        });
    }
  };
}
