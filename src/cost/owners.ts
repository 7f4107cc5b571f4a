/**
 * Which object a planned pod's cost lands on: the workload that owns it, as Kubernetes names owners.
 * Only the kinds that make pods own spend (Deployment, StatefulSet, ReplicaSet, DaemonSet, Job,
 * CronJob, ReplicationController, a bare Pod); a PDB, HPA, Service or WorkloadProfile that shares the
 * workload's name — the usual layout — never does. A controlled object (a Deployment's ReplicaSet, a
 * CronJob's Job) is charged to its controller, following ownerReferences. Pure.
 */
import type { KubeObject } from '../kube/objects.js';
import { CLASS_LABEL } from '../kube/berth-labels.js';

export interface Owner {
  /** `Kind/name` of the workload the cost lands on. */
  workload: string;
  /** The runtime class its pods carry (berth.dev/runtime-class on the pod template), '' for none. */
  runtimeClass: string;
}

export const POD_OWNER_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
  'Pod',
]);

const keyOf = (ns: string, kind: string, name: string) => `${ns}/${kind}/${name}`;
const nsOf = (o: KubeObject) => o.metadata?.namespace ?? '';

function classOf(o: KubeObject): string {
  type Templated = { template?: { metadata?: { labels?: Record<string, string> } } };
  const spec = o.spec as (Templated & { jobTemplate?: { spec?: Templated } }) | undefined;
  const labels =
    o.kind === 'Pod'
      ? o.metadata?.labels
      : (spec?.template?.metadata?.labels ?? spec?.jobTemplate?.spec?.template?.metadata?.labels);
  return labels?.[CLASS_LABEL] ?? '';
}

/** The controller at the top of `o`'s ownerReferences among `byKey` (itself when none is given). */
function topOf(o: KubeObject, byKey: ReadonlyMap<string, KubeObject>): KubeObject {
  let at = o;
  for (let depth = 0; depth < 8; depth++) {
    const ref = at.metadata?.ownerReferences?.find((r) => r.controller === true);
    const up = ref ? byKey.get(keyOf(nsOf(at), ref.kind, ref.name)) : undefined;
    if (!up) return at;
    at = up;
  }
  return at;
}

/**
 * `namespace/name` → the owner a planned pod named after that object is charged to. Where two
 * workload kinds share a name, the one no other object controls wins (then the first read).
 */
export function ownerIndex(objects: readonly KubeObject[]): Map<string, Owner> {
  const workloads = objects.filter((o) => POD_OWNER_KINDS.has(o.kind ?? ''));
  const byKey = new Map(workloads.map((o) => [keyOf(nsOf(o), o.kind ?? '', o.metadata?.name ?? ''), o]));
  const owners = new Map<string, Owner & { top: boolean }>();
  for (const o of workloads) {
    const top = topOf(o, byKey);
    const key = `${nsOf(o)}/${o.metadata?.name ?? ''}`;
    const isTop = top === o;
    const had = owners.get(key);
    if (had && (had.top || !isTop)) continue;
    owners.set(key, {
      workload: `${top.kind ?? ''}/${top.metadata?.name ?? ''}`,
      runtimeClass: classOf(top) || classOf(o),
      top: isTop,
    });
  }
  return new Map([...owners].map(([k, { workload, runtimeClass }]) => [k, { workload, runtimeClass }]));
}
