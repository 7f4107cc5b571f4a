/**
 * The cluster as it will be once this review is admitted: the cached view with the PDB that the
 * profile controller is about to create for the workload (so a compiled workload is not reported as
 * having none, and a generated PDB that blocks eviction is reported now, in kubectl, not later).
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';
import type { Labels } from '../kube/selector.js';
import type { PoolView } from '../scheduling/nodepool.js';
import type { Catalog } from '../catalog/catalog.js';
import type { WorkloadProfile } from '../policies/schema/profile-schema.js';
import type { ClusterView, HPA, PDB } from '../policies/view.js';
import { jsonEqual } from '../util/json-equal.js';

/** The metadata the rules read of a pending PDB: all of it but its owner references. */
function sameMetadata(a: V1ObjectMeta, b: V1ObjectMeta): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k in x) if (k !== 'ownerReferences' && !jsonEqual(x[k], y[k])) return false;
  for (const k in y) if (k !== 'ownerReferences' && y[k] !== undefined && x[k] === undefined) return false;
  return true;
}

interface Overlay {
  shown: PDB;
  list: readonly PDB[];
}

/** Overlay lists per namespace list, by the pending PDB's name. */
const overlays = new WeakMap<readonly PDB[], Map<string, Overlay>>();
/** Names remembered per namespace list before the table starts afresh. */
const MAX_PENDING = 1024;

/**
 * `existing` with `pending` in place of the PDB of its name, shared by every review whose pending PDB
 * reads the same: the lookups index a list once (lookup.ts), so a list built per review cost an
 * index per review. The rules read a PDB's metadata and spec, never its owner references (the
 * controller's business, and the only part that differs between two creations of one workload):
 * those are left out of the comparison, and of the PDB the list holds.
 */
function withPending(existing: readonly PDB[], pending: PDB): readonly PDB[] {
  const meta = pending.metadata ?? {};
  const name = meta.name ?? '';
  let table = overlays.get(existing);
  if (table === undefined) overlays.set(existing, (table = new Map<string, Overlay>()));
  const hit = table.get(name);
  if (hit && sameMetadata(hit.shown.metadata ?? {}, meta) && jsonEqual(hit.shown.spec, pending.spec))
    return hit.list;
  if (table.size >= MAX_PENDING) table.clear();
  const { ownerReferences, ...metadata } = meta;
  const shown: PDB = ownerReferences === undefined ? pending : { ...pending, metadata };
  const list = [...existing.filter((p) => p.metadata?.name !== name), shown];
  table.set(name, { shown, list });
  return list;
}

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
    return (this.withPending ??= withPending(existing, this.pending));
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
