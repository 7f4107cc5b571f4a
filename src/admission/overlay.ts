/**
 * The cluster as it will be once this review is admitted: the cached view with the PDB that the
 * profile controller is about to create for the workload (so a compiled workload is not reported as
 * having none, and a generated PDB that blocks eviction is reported now, in kubectl, not later).
 */
import type { KubeObject } from '../kube/objects.js';
import type { Labels } from '../kube/selector.js';
import type { PoolView } from '../scheduling/nodepool.js';
import type { Catalog } from '../catalog/catalog.js';
import type { WorkloadProfile } from '../policies/schema/profile-schema.js';
import type { ClusterView, HPA, PDB } from '../policies/view.js';

export class PendingPdbView implements ClusterView {
  private withPending: readonly PDB[] | undefined;

  constructor(
    private readonly base: ClusterView,
    private readonly pending: PDB,
  ) {}

  get catalog(): Catalog {
    return this.base.catalog;
  }
  get nodePools(): readonly PoolView[] {
    return this.base.nodePools;
  }
  profile(namespace: string, name: string): WorkloadProfile | undefined {
    return this.base.profile(namespace, name);
  }
  pdbs(namespace: string): readonly PDB[] {
    const existing = this.base.pdbs(namespace);
    if (namespace !== this.pending.metadata?.namespace) return existing;
    const name = this.pending.metadata.name;
    return (this.withPending ??= [...existing.filter((p) => p.metadata?.name !== name), this.pending]);
  }
  hpas(namespace: string): readonly HPA[] {
    return this.base.hpas(namespace);
  }
  workloads(namespace: string): readonly KubeObject[] {
    return this.base.workloads(namespace);
  }
  namespaceLabels(namespace: string): Labels {
    return this.base.namespaceLabels(namespace);
  }
}
