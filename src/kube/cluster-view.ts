/**
 * The engine's ClusterView backed by watch-fed caches: answering a review reads memory only.
 * NodePools come from the cluster (or from files when given), their views rebuilt on change.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/catalog.js';
import type { ClusterView, HPA, PDB } from '../policies/view.js';
import type { WorkloadProfile } from '../policies/schema/profile-schema.js';
import {
  poolViewWithClass,
  type EC2NodeClass,
  type NodePool,
  type PoolView,
} from '../scheduling/nodepool.js';
import type { KubeObject } from './objects.js';
import { withOverlays, type NodeOverlay, type OverlayResolution } from '../scheduling/node-overlay.js';
import type { Labels } from './selector.js';
import { Resource, type ChangeVerb, type ResourceSpec } from './informers.js';
import { kinded } from './leader-caches.js';

export const RESOURCES = {
  profiles: {
    apiVersion: 'berth.dev/v1alpha1',
    kind: 'WorkloadProfile',
    path: '/apis/berth.dev/v1alpha1/workloadprofiles',
  },
  pdbs: {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    path: '/apis/policy/v1/poddisruptionbudgets',
  },
  hpas: {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    path: '/apis/autoscaling/v2/horizontalpodautoscalers',
  },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment', path: '/apis/apps/v1/deployments' },
  statefulsets: { apiVersion: 'apps/v1', kind: 'StatefulSet', path: '/apis/apps/v1/statefulsets' },
  replicationControllers: {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    path: '/api/v1/replicationcontrollers',
  },
  namespaces: { apiVersion: 'v1', kind: 'Namespace', path: '/api/v1/namespaces' },
  nodePools: {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    path: '/apis/karpenter.sh/v1/nodepools',
    optional: true,
  },
  nodeOverlays: {
    apiVersion: 'karpenter.sh/v1alpha1',
    kind: 'NodeOverlay',
    path: '/apis/karpenter.sh/v1alpha1/nodeoverlays',
    optional: true,
  },
  nodeClasses: {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    path: '/apis/karpenter.k8s.aws/v1/ec2nodeclasses',
    optional: true,
  },
} satisfies Record<string, ResourceSpec>;

type Key = keyof typeof RESOURCES;

/** The workloads the caches hold and their changes, each object with its kind (a listed one has none). */
export interface WorkloadSource {
  list(): KubeObject[];
  onChange(l: (obj: KubeObject, verb: ChangeVerb) => void): () => void;
}

const WORKLOAD_RESOURCES = ['deployments', 'statefulsets', 'replicationControllers'] as const;

export class InformerClusterView implements ClusterView {
  readonly resources: Record<Key, Resource<KubernetesObject>>;
  /** The pool views and the overlays' resolution, made once per change of pools, classes or overlays. */
  private pools: { views: PoolView[]; resolution: OverlayResolution } | undefined;

  constructor(
    kc: KubeConfig,
    readonly catalog: Catalog,
    logger: Logger,
    private readonly filePools?: readonly NodePool[],
  ) {
    const r = {} as Record<Key, Resource<KubernetesObject>>;
    for (const key of Object.keys(RESOURCES) as Key[]) {
      r[key] = new Resource(kc, RESOURCES[key], logger);
    }
    this.resources = r;
    this.resources.nodePools.onChange(() => {
      this.pools = undefined;
    });
    this.resources.nodeClasses.onChange(() => {
      this.pools = undefined;
    });
    this.resources.nodeOverlays.onChange(() => {
      this.pools = undefined;
    });
  }

  async start(): Promise<void> {
    await Promise.all(Object.values(this.resources).map((r) => r.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.resources).map((r) => r.stop()));
  }

  /** Per resource: listed yet, and any note (a CRD not served). */
  syncState(): { name: string; synced: boolean; detail: string | undefined }[] {
    return Object.values(this.resources).map((r) => ({
      name: r.spec.kind,
      synced: r.synced,
      detail: r.detail,
    }));
  }

  get nodePools(): readonly PoolView[] {
    this.pools ??= this.resolve();
    return this.pools.views;
  }

  /** The NodeOverlays applied and refused, as Karpenter's controller would set their status. */
  overlayResolution(): OverlayResolution {
    this.pools ??= this.resolve();
    return this.pools.resolution;
  }

  private resolve(): { views: PoolView[]; resolution: OverlayResolution } {
    // A pool's nodes carry its EC2NodeClass's hash (static NodeClass drift); Auto Mode classes are EKS's.
    const views = (this.filePools ?? (this.resources.nodePools.list() as unknown as NodePool[])).map((p) =>
      poolViewWithClass(p, this.nodeClassOf(p)),
    );
    const overlays = this.resources.nodeOverlays.list() as unknown as NodeOverlay[];
    return withOverlays(views, overlays, this.catalog);
  }

  /** The EC2NodeClass a pool's nodeClassRef names, if the cache holds it (none for Auto Mode's classes). */
  nodeClassOf(pool: NodePool): EC2NodeClass | undefined {
    const ref = pool.spec.template.spec.nodeClassRef;
    if (!ref || (ref.kind ?? 'EC2NodeClass') !== 'EC2NodeClass') return undefined;
    return this.resources.nodeClasses.get(ref.name) as unknown as EC2NodeClass | undefined;
  }

  /** The zones of every EC2NodeClass's resolved subnets (none until a status says). */
  nodeClassZones(): string[] {
    const classes = this.resources.nodeClasses.list() as unknown as EC2NodeClass[];
    return [
      ...new Set(classes.flatMap((c) => (c.status?.subnets ?? []).flatMap((s) => (s.zone ? [s.zone] : [])))),
    ];
  }

  profile(namespace: string, name: string): WorkloadProfile | undefined {
    return this.resources.profiles.get(name, namespace) as unknown as WorkloadProfile | undefined;
  }
  pdbs(namespace: string): readonly PDB[] {
    return this.resources.pdbs.list(namespace);
  }
  hpas(namespace: string): readonly HPA[] {
    return this.resources.hpas.list(namespace) as unknown as HPA[];
  }
  /** Every replica watches these for its webhook; the leader also reads them as demand. */
  workloadSource(): WorkloadSource {
    const sources = WORKLOAD_RESOURCES.map((k) => kinded(this.resources[k]));
    return {
      list: () => sources.flatMap((s) => s.list()),
      onChange: (l) => {
        const stops = sources.map((s) => s.onChange(l));
        return () => {
          for (const stop of stops) stop();
        };
      },
    };
  }

  workloads(namespace: string): readonly KubeObject[] {
    return [
      ...this.resources.deployments.list(namespace),
      ...this.resources.statefulsets.list(namespace),
      ...this.resources.replicationControllers.list(namespace),
    ] as KubeObject[];
  }
  namespaceLabels(namespace: string): Labels {
    return (
      this.resources.namespaces.get(namespace)?.metadata?.labels ?? {
        'kubernetes.io/metadata.name': namespace,
      }
    );
  }
}
