/**
 * The profile controller's PDB half, pure: given the profiles, the workloads and the PDBs Berth
 * manages, what to create, update and delete so that every workload bound to a profile with a
 * disruption budget has exactly its `<workload>-berth` PDB.
 */
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { generatePdb } from '../../policies/compile/pdb.js';
import { profileNameFor } from '../../policies/compile/compile.js';
import type { Policies } from '../../policies/policies.js';
import type { WorkloadProfile } from '../../policies/schema/profile-schema.js';

export const MANAGED_BY = { key: 'app.kubernetes.io/managed-by', value: 'berth' } as const;

export type PdbAction =
  | { op: 'create'; pdb: V1PodDisruptionBudget }
  | { op: 'update'; pdb: V1PodDisruptionBudget; reason: string }
  | { op: 'delete'; namespace: string; name: string; reason: string };

export interface Binding {
  workload: KubeObject;
  profile: WorkloadProfile;
}

export interface ReconcileInput {
  profiles: readonly WorkloadProfile[];
  workloads: readonly KubeObject[];
  /** PDBs labelled app.kubernetes.io/managed-by: berth. */
  managedPdbs: readonly V1PodDisruptionBudget[];
  policies: Policies;
}

const key = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;

/** Workloads bound to an existing profile (by label, or the namespace's default profile). */
export function bindings(input: Omit<ReconcileInput, 'managedPdbs'>): Binding[] {
  const byName = new Map(input.profiles.map((p) => [key(p.metadata.namespace, p.metadata.name), p]));
  const out: Binding[] = [];
  for (const workload of input.workloads) {
    const ns = workload.metadata?.namespace ?? '';
    if (input.policies.exemptNamespaces.has(ns)) continue;
    const name = profileNameFor(workload, input.policies, ns);
    const profile = name === undefined ? undefined : byName.get(key(ns, name));
    if (profile) out.push({ workload, profile });
  }
  return out;
}

function differs(have: V1PodDisruptionBudget, want: V1PodDisruptionBudget): string | undefined {
  const a = have.spec ?? {};
  const b = want.spec ?? {};
  if (JSON.stringify(a.selector) !== JSON.stringify(b.selector)) return 'selector changed';
  if (a.minAvailable !== b.minAvailable || a.maxUnavailable !== b.maxUnavailable) return 'budget changed';
  const labels = have.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(want.metadata?.labels ?? {}))
    if (labels[k] !== v) return 'labels changed';
  return undefined;
}

function desiredPdbs(input: ReconcileInput): Map<string, V1PodDisruptionBudget> {
  const desired = new Map<string, V1PodDisruptionBudget>();
  for (const { workload, profile } of bindings(input)) {
    const pdb = generatePdb(workload, profile);
    if (!pdb?.metadata) continue;
    pdb.metadata.labels = { ...(pdb.metadata.labels ?? {}), [MANAGED_BY.key]: MANAGED_BY.value };
    desired.set(key(pdb.metadata.namespace, pdb.metadata.name), pdb);
  }
  return desired;
}

function changeOf(
  have: V1PodDisruptionBudget | undefined,
  want: V1PodDisruptionBudget,
): PdbAction | undefined {
  if (!have) return { op: 'create', pdb: want };
  const reason = differs(have, want);
  if (reason === undefined) return undefined;
  const rv = have.metadata?.resourceVersion;
  if (want.metadata && rv !== undefined) want.metadata.resourceVersion = rv;
  return { op: 'update', pdb: want, reason };
}

export function reconcilePdbs(input: ReconcileInput): PdbAction[] {
  const desired = desiredPdbs(input);
  const existing = new Map(input.managedPdbs.map((p) => [key(p.metadata?.namespace, p.metadata?.name), p]));
  const actions: PdbAction[] = [];
  for (const [k, want] of desired) {
    const change = changeOf(existing.get(k), want);
    if (change) actions.push(change);
  }
  for (const [k, have] of existing) {
    if (desired.has(k)) continue;
    actions.push({
      op: 'delete',
      namespace: have.metadata?.namespace ?? '',
      name: have.metadata?.name ?? '',
      reason: 'no workload is bound to a profile with a disruption budget for it any more',
    });
  }
  return actions;
}
