/**
 * The cluster as the engine sees it: profiles, PDBs, HPAs, workloads, NodePools, namespaces and the
 * instance catalog. The webhook backs it with watch-fed caches; the CLI with the files it was given.
 */
import type {
  V1PodDisruptionBudget,
  V2HorizontalPodAutoscaler,
  V2HorizontalPodAutoscalerSpec,
} from '@kubernetes/client-node';
import type { Catalog } from '../catalog/catalog.js';
import type { KubeObject } from '../kube/objects.js';
import type { Labels } from '../kube/selector.js';
import { isWorkloadKind } from '../kube/workload.js';
import { mapFor } from '../util/memo.js';
import {
  poolViewWithClass,
  type EC2NodeClass,
  type NodePool,
  type PoolView,
} from '../scheduling/nodepool.js';
import { withOverlays, type NodeOverlay } from '../scheduling/node-overlay.js';
import type { WorkloadProfile } from './schema/profile-schema.js';

export type PDB = V1PodDisruptionBudget;
/** An HPA as the API server stores it: `spec` is required there. */
export type HPA = V2HorizontalPodAutoscaler & { spec: V2HorizontalPodAutoscalerSpec };

export interface ClusterView {
  readonly catalog: Catalog;
  readonly nodePools: readonly PoolView[];
  profile(namespace: string, name: string): WorkloadProfile | undefined;
  pdbs(namespace: string): readonly PDB[];
  hpas(namespace: string): readonly HPA[];
  workloads(namespace: string): readonly KubeObject[];
  namespaceLabels(namespace: string): Labels;
  /**
   * Whether a profile of that name was denied in this same run (offline: `check` admits profiles
   * first). A cluster never holds a denied profile, so it cannot say, and leaves this out.
   */
  deniedProfile?(namespace: string, name: string): boolean;
  /** What the NodePools are when they are not the cluster's (offline, the embedded samples). */
  readonly poolsFrom?: string | undefined;
}

/** Items by namespace, then name (a later one replaces an earlier of the same name, in place). */
class ByNamespace<T extends { metadata?: { namespace?: string; name?: string } }> {
  private readonly map = new Map<string, Map<string, T>>();
  /** The list each namespace answers with, built on first read after a change. */
  private readonly lists = new Map<string, readonly T[]>();
  add(item: T, defaultNs: string): void {
    const ns = item.metadata?.namespace ?? defaultNs;
    mapFor(this.map, ns).set(item.metadata?.name ?? '', item);
    this.lists.delete(ns);
  }
  get(ns: string): readonly T[] {
    let list = this.lists.get(ns);
    if (list === undefined) {
      list = [...(this.map.get(ns)?.values() ?? [])];
      this.lists.set(ns, list);
    }
    return list;
  }
}

/** A view built from a list of objects (the CLI's files, a test's fixture). */
export class StaticClusterView implements ClusterView {
  /** Profiles by namespace, then name (no key string to build per lookup). */
  private readonly profiles = new Map<string, Map<string, WorkloadProfile>>();
  private readonly pdbIndex = new ByNamespace<PDB>();
  private readonly hpaIndex = new ByNamespace<HPA>();
  private readonly workloadIndex = new ByNamespace<KubeObject>();
  private readonly nsLabels = new Map<string, Labels>();
  private readonly poolObjects = new Map<string, NodePool>();
  private readonly classes = new Map<string, EC2NodeClass>();
  private readonly overlays = new Map<string, NodeOverlay>();
  /** The pool views, built on first read after a NodePool, EC2NodeClass or NodeOverlay changed. */
  private pools: PoolView[] | undefined = [];
  /** Set offline when the pools are the embedded samples (ClusterView.poolsFrom). */
  poolsFrom: string | undefined = undefined;

  constructor(
    readonly catalog: Catalog,
    objects: readonly KubeObject[] = [],
    readonly defaultNamespace = 'default',
    /** Profiles denied in this run, as `namespace/name`. */
    private readonly denied: ReadonlySet<string> = new Set(),
  ) {
    for (const o of objects) this.add(o);
  }

  deniedProfile(namespace: string, name: string): boolean {
    return this.denied.has(`${namespace}/${name}`);
  }

  get nodePools(): readonly PoolView[] {
    if (this.pools) return this.pools;
    const views = [...this.poolObjects.values()].map((p) => {
      const ref = p.spec.template.spec.nodeClassRef;
      return poolViewWithClass(p, ref ? this.classes.get(ref.name) : undefined);
    });
    this.pools = withOverlays(views, [...this.overlays.values()], this.catalog).views;
    return this.pools;
  }

  /** NodePools and EC2NodeClasses: the pool views are rebuilt on the next read. */
  private addPoolObject(o: KubeObject): boolean {
    const name = o.metadata?.name ?? '';
    if (o.kind === 'NodePool') {
      // A later NodePool of the same name replaces the earlier one (as applying it would).
      this.poolObjects.delete(name);
      this.poolObjects.set(name, o as unknown as NodePool);
    } else if (o.kind === 'EC2NodeClass') this.classes.set(name, o as unknown as EC2NodeClass);
    else if (o.kind === 'NodeOverlay') this.overlays.set(name, o as unknown as NodeOverlay);
    else return false;
    this.pools = undefined;
    return true;
  }

  add(o: KubeObject): void {
    const ns = o.metadata?.namespace ?? this.defaultNamespace;
    if (this.addPoolObject(o)) return;
    switch (o.kind) {
      case 'WorkloadProfile':
        mapFor(this.profiles, ns).set(o.metadata?.name ?? '', o as unknown as WorkloadProfile);
        return;
      case 'PodDisruptionBudget':
        this.pdbIndex.add(o, this.defaultNamespace);
        return;
      case 'HorizontalPodAutoscaler':
        this.hpaIndex.add(o as unknown as HPA, this.defaultNamespace);
        return;
      case 'Namespace':
        this.nsLabels.set(o.metadata?.name ?? '', o.metadata?.labels ?? {});
        return;
      default:
        if (isWorkloadKind(o.kind)) this.workloadIndex.add(o, this.defaultNamespace);
    }
  }

  profile(namespace: string, name: string): WorkloadProfile | undefined {
    return this.profiles.get(namespace)?.get(name);
  }
  pdbs(namespace: string): readonly PDB[] {
    return this.pdbIndex.get(namespace);
  }
  hpas(namespace: string): readonly HPA[] {
    return this.hpaIndex.get(namespace);
  }
  workloads(namespace: string): readonly KubeObject[] {
    return this.workloadIndex.get(namespace);
  }
  namespaceLabels(namespace: string): Labels {
    return this.nsLabels.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace };
  }
}
