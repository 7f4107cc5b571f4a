/**
 * The caches only the Lease holder needs (Pods, Nodes, DaemonSets, ReplicaSets, Jobs, CronJobs, NodeClaims,
 * PersistentVolumeClaims and PersistentVolumes, PodTemplates, CapacityBuffers, and Services for a
 * default topology spread),
 * shared by its duties: the provisioner and the report scan watch Pods once between them. A cache
 * starts with its first user and stops with its last (a stopped informer is not restarted: the next
 * user gets a new one).
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Resource, type ChangeVerb, type ResourceSpec } from './informers.js';
import type { KubeObject } from './objects.js';

export const LEADER_RESOURCES = {
  pods: { apiVersion: 'v1', kind: 'Pod', path: '/api/v1/pods' },
  nodes: { apiVersion: 'v1', kind: 'Node', path: '/api/v1/nodes' },
  daemonSets: { apiVersion: 'apps/v1', kind: 'DaemonSet', path: '/apis/apps/v1/daemonsets' },
  replicaSets: { apiVersion: 'apps/v1', kind: 'ReplicaSet', path: '/apis/apps/v1/replicasets' },
  jobs: { apiVersion: 'batch/v1', kind: 'Job', path: '/apis/batch/v1/jobs' },
  cronJobs: { apiVersion: 'batch/v1', kind: 'CronJob', path: '/apis/batch/v1/cronjobs' },
  persistentVolumeClaims: {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    path: '/api/v1/persistentvolumeclaims',
  },
  persistentVolumes: { apiVersion: 'v1', kind: 'PersistentVolume', path: '/api/v1/persistentvolumes' },
  podTemplates: { apiVersion: 'v1', kind: 'PodTemplate', path: '/api/v1/podtemplates' },
  // Only with --scheduler-config's default spread: kube-scheduler deduces its selectors from them.
  services: { apiVersion: 'v1', kind: 'Service', path: '/api/v1/services' },
  capacityBuffers: {
    apiVersion: 'autoscaling.x-k8s.io/v1beta1',
    kind: 'CapacityBuffer',
    path: '/apis/autoscaling.x-k8s.io/v1beta1/capacitybuffers',
    optional: true,
  },
  nodeClaims: {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodeClaim',
    path: '/apis/karpenter.sh/v1/nodeclaims',
    optional: true,
  },
} satisfies Record<string, ResourceSpec>;

export type LeaderResource = keyof typeof LEADER_RESOURCES;

export class LeaderCaches {
  private readonly held = new Map<LeaderResource, { resource: Resource<KubernetesObject>; users: number }>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly logger: Logger,
  ) {}

  /** The cache of `key`, started if this is its first user. */
  acquire<T extends KubernetesObject = KubernetesObject>(key: LeaderResource): Resource<T> {
    let h = this.held.get(key);
    if (!h) {
      const resource = new Resource<KubernetesObject>(this.kc, LEADER_RESOURCES[key], this.logger);
      h = { resource, users: 0 };
      this.held.set(key, h);
      resource.start().catch((e: unknown) => {
        this.logger.warn({ resource: resource.spec.kind, err: String(e) }, 'cache not listed yet; retrying');
      });
    }
    h.users += 1;
    return h.resource as unknown as Resource<T>;
  }

  /** One user done with `key`; the last one stops the watch. */
  async release(key: LeaderResource): Promise<void> {
    const h = this.held.get(key);
    if (!h) return;
    h.users -= 1;
    if (h.users > 0) return;
    this.held.delete(key);
    await h.resource.stop();
  }
}

/** A cache as a source of objects that know their kind (listed items carry none). */
export interface KindedSource {
  readonly kind: string;
  readonly synced: boolean;
  list(namespace?: string): readonly KubeObject[];
  onChange(l: (obj: KubeObject, verb: ChangeVerb) => void): () => void;
}

export function kinded(r: Resource<KubernetesObject>): KindedSource {
  const kind = r.spec.kind;
  const withKind = (o: KubernetesObject): KubeObject => (o.kind === kind ? o : { ...o, kind }) as KubeObject;
  return {
    kind,
    get synced() {
      return r.synced;
    },
    list: (namespace) => r.list(namespace).map(withKind),
    onChange: (l) =>
      r.onChange((o, verb) => {
        l(withKind(o), verb);
      }),
  };
}
