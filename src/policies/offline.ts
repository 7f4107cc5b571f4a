/**
 * The offline pipeline behind `berth check`, `compile` and `demo`: every object as if applied to one
 * cluster — workloads compiled against their profiles (the mutating webhook), then everything
 * evaluated (the validating webhook) against a view holding all of them and the generated PDBs.
 */
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';
import { isCompiledKind } from '../kube/workload.js';
import type { Catalog } from '../provisioner/catalog/catalog.js';
import type { NodePool } from '../scheduling/nodepool.js';
import { compile, profileNameFor } from './compile/compile.js';
import { evaluate, type Verdict } from './engine.js';
import type { Policies } from './policies.js';
import type { WorkloadProfile } from './schema/profile-schema.js';
import { StaticClusterView } from './view.js';

export interface OfflineInput {
  objects: readonly KubeObject[];
  nodePools: readonly NodePool[];
  policies: Policies;
  catalog: Catalog;
  today: string;
  defaultNamespace?: string;
}

export interface OfflineResult {
  /** One per input object: the object as admitted (compiled when a profile applies). */
  admitted: KubeObject[];
  /** Generated PDBs, one per compiled workload whose profile sets a disruption budget. */
  pdbs: V1PodDisruptionBudget[];
  verdicts: Verdict[];
  notes: Map<KubeObject, string[]>;
}

export function runOffline(input: OfflineInput): OfflineResult {
  const ns = input.defaultNamespace ?? 'default';
  // Profiles are admitted first; a denied profile never exists, so nothing compiles against it.
  const pools = input.nodePools as unknown as KubeObject[];
  const first = new StaticClusterView(input.catalog, [...pools, ...input.objects], ns);
  const deniedProfiles = new Set(
    input.objects.filter((o) => o.kind === 'WorkloadProfile' && !evaluate(o, first, input.policies, { today: input.today, defaultNamespace: ns }).allowed),
  );
  const base = new StaticClusterView(input.catalog, [...pools, ...input.objects.filter((o) => !deniedProfiles.has(o))], ns);
  const admitted: KubeObject[] = [];
  const pdbs: V1PodDisruptionBudget[] = [];
  const notes = new Map<KubeObject, string[]>();
  for (const obj of input.objects) {
    const name = isCompiledKind(obj.kind) ? profileNameFor(obj, input.policies, obj.metadata?.namespace ?? ns) : undefined;
    const profile: WorkloadProfile | undefined = name === undefined ? undefined : base.profile(obj.metadata?.namespace ?? ns, name);
    if (!profile) {
      admitted.push(obj);
      continue;
    }
    const out = compile(obj, profile, input.policies, base.nodePools);
    if (out.object.metadata && out.object.metadata.namespace === undefined) out.object.metadata.namespace = ns;
    if (out.pdb?.metadata && out.pdb.metadata.namespace === undefined) out.pdb.metadata.namespace = ns;
    admitted.push(out.object);
    notes.set(out.object, out.notes);
    if (out.pdb) pdbs.push(out.pdb);
  }
  const view = new StaticClusterView(input.catalog, [...pools, ...admitted.filter((o) => !deniedProfiles.has(o)), ...(pdbs as KubeObject[])], ns);
  const verdicts = admitted.map((o) => evaluate(o, view, input.policies, { today: input.today, defaultNamespace: ns }));
  return { admitted, pdbs, verdicts, notes };
}
