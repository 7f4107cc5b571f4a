/**
 * The offline pipeline behind `berth check`, `compile` and `demo`: every object as if applied to one
 * cluster — workloads compiled against their profiles (the mutating webhook), then everything
 * evaluated (the validating webhook) against a view holding all of them and the generated PDBs.
 */
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';
import { isCompiledKind } from '../kube/workload.js';
import type { Catalog } from '../catalog/catalog.js';
import type { EC2NodeClass, NodePool } from '../scheduling/nodepool.js';
import type { NodeOverlay } from '../scheduling/node-overlay.js';
import { compile, profileNameFor } from './compile/compile.js';
import { evaluate, type Verdict } from './engine.js';
import type { Policies } from './policies.js';
import type { WorkloadProfile } from './schema/profile-schema.js';
import { StaticClusterView } from './view.js';
import { NativePolicySet } from './native/policy-set.js';
import { policyProblems, withNativeFindings, type NativeOptions } from './native/verdicts.js';

export interface OfflineInput {
  objects: readonly KubeObject[];
  nodePools: readonly NodePool[];
  /** EC2NodeClasses beside the pools (their kubelet and volumes shape the pools' instance types). */
  nodeClasses?: readonly EC2NodeClass[];
  /** NodeOverlays (their capacity gives the pools' types extended resources). */
  nodeOverlays?: readonly NodeOverlay[];
  policies: Policies;
  catalog: Catalog;
  today: string;
  defaultNamespace?: string;
  /** What the pools are, when not the cluster's (the embedded samples): rule messages say so. */
  poolsFrom?: string;
  /** Who the requests come from, for native policies that read request.userInfo. */
  userInfo?: NativeOptions['userInfo'];
  /** The cluster's ValidatingAdmissionPolicies, bindings and params: they judge, unjudged. */
  admissionContext?: readonly KubeObject[];
}

export interface OfflineResult {
  /** One per input object: the object as admitted (compiled when a profile applies). */
  admitted: KubeObject[];
  /** Generated PDBs, one per compiled workload whose profile sets a disruption budget. */
  pdbs: V1PodDisruptionBudget[];
  verdicts: Verdict[];
  notes: Map<KubeObject, string[]>;
}

interface Admission {
  admitted: KubeObject[];
  pdbs: V1PodDisruptionBudget[];
  notes: Map<KubeObject, string[]>;
}

/** The mutating half: each workload compiled against its profile, as the webhook would. */
function admitAll(input: OfflineInput, view: StaticClusterView, ns: string): Admission {
  const out: Admission = { admitted: [], pdbs: [], notes: new Map() };
  for (const obj of input.objects) {
    const objNs = obj.metadata?.namespace ?? ns;
    const name = isCompiledKind(obj.kind) ? profileNameFor(obj, input.policies, objNs) : undefined;
    const profile: WorkloadProfile | undefined = name === undefined ? undefined : view.profile(objNs, name);
    if (!profile) {
      out.admitted.push(obj);
      continue;
    }
    const compiled = compile(obj, profile, input.policies, view.nodePools);
    if (compiled.object.metadata) compiled.object.metadata.namespace = objNs;
    if (compiled.pdb?.metadata) compiled.pdb.metadata.namespace = objNs;
    out.admitted.push(compiled.object);
    out.notes.set(compiled.object, compiled.notes);
    if (compiled.pdb) out.pdbs.push(compiled.pdb);
  }
  return out;
}

/** The cluster the files make: objects as admitted, generated PDBs, and the view that holds them. */
interface Admitted extends Admission {
  view: StaticClusterView;
  profileVerdicts: Map<KubeObject, Verdict>;
}

function admitFiles(input: OfflineInput): Admitted {
  const ns = input.defaultNamespace ?? 'default';
  const opts = { today: input.today, defaultNamespace: ns };
  const pools = [
    ...input.nodePools,
    ...(input.nodeClasses ?? []),
    ...(input.nodeOverlays ?? []),
  ] as unknown as KubeObject[];
  // Profiles are admitted first: a denied profile never exists, so nothing compiles against it. Their
  // rules read only NodePools and the catalog, so these verdicts are final.
  const first = new StaticClusterView(input.catalog, [...pools, ...input.objects], ns);
  const profileVerdicts = new Map<KubeObject, Verdict>();
  for (const o of input.objects) {
    if (o.kind === 'WorkloadProfile') profileVerdicts.set(o, evaluate(o, first, input.policies, opts));
  }
  const denied = new Set([...profileVerdicts].filter(([, v]) => !v.allowed).map(([o]) => o));
  const deniedNames = new Set(
    [...denied].map((o) => `${o.metadata?.namespace ?? ns}/${o.metadata?.name ?? ''}`),
  );
  const base = new StaticClusterView(
    input.catalog,
    [...pools, ...input.objects.filter((o) => !denied.has(o))],
    ns,
    deniedNames,
  );
  const { admitted, pdbs, notes } = admitAll(input, base, ns);
  const view = new StaticClusterView(
    input.catalog,
    [...pools, ...admitted.filter((o) => !denied.has(o)), ...(pdbs as KubeObject[])],
    ns,
    deniedNames,
  );
  for (const v of [first, base, view]) v.poolsFrom = input.poolsFrom;
  return { admitted, pdbs, notes, view, profileVerdicts };
}

/**
 * The view `berth check` judges with: what the files hold once admitted (denied profiles left out,
 * workloads compiled, the PDBs their profiles generate). `berth serve --local` answers from it, so the
 * two give the same answer on the same files.
 */
export function admittedView(input: OfflineInput): StaticClusterView {
  return admitFiles(input).view;
}

/**
 * A Pod a controller owns (a ReplicaSet's, a Job's) is judged through its controller, as the webhook
 * (its matchConditions leave such pods out) and the cluster scan judge it: never as a bare pod.
 */
function ownedPodVerdict(o: KubeObject, objects: readonly KubeObject[], ns: string): Verdict | undefined {
  if (o.kind !== 'Pod') return undefined;
  const owner = o.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!owner) return undefined;
  const namespace = o.metadata?.namespace ?? ns;
  const present = objects.some(
    (x) =>
      x.kind === owner.kind && x.metadata?.name === owner.name && (x.metadata.namespace ?? ns) === namespace,
  );
  const by = `${owner.kind} ${namespace}/${owner.name}`;
  return {
    kind: 'Pod',
    namespace,
    name: o.metadata?.name ?? '',
    allowed: true,
    violations: [],
    warnings: [],
    exempted: [],
    errors: [],
    skipped: present
      ? `judged through its controller ${by}, among the inputs`
      : `owned by ${by}, not among the inputs: a controller's pods are judged through the controller, as the webhook and the cluster scan judge them`,
  };
}

export function runOffline(input: OfflineInput): OfflineResult {
  const ns = input.defaultNamespace ?? 'default';
  const opts = { today: input.today, defaultNamespace: ns };
  const { admitted, pdbs, notes, view, profileVerdicts } = admitFiles(input);
  const verdicts = admitted.map(
    (o) =>
      profileVerdicts.get(o) ??
      ownedPodVerdict(o, input.objects, ns) ??
      evaluate(o, view, input.policies, opts),
  );
  return { admitted, pdbs, verdicts: withNative(input, admitted, verdicts), notes };
}

/** The verdicts with the ValidatingAdmissionPolicies among the inputs applied (the API server's own). */
function withNative(input: OfflineInput, admitted: readonly KubeObject[], verdicts: Verdict[]): Verdict[] {
  const set = new NativePolicySet([...(input.admissionContext ?? []), ...input.objects]);
  if (set.size === 0) return verdicts;
  let n = 0;
  const opts: NativeOptions = {
    defaultNamespace: input.defaultNamespace ?? 'default',
    now: new Date(`${input.today}T00:00:00Z`),
    uid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    ...(input.userInfo ? { userInfo: input.userInfo } : {}),
  };
  return verdicts.map((v, i) => {
    const o = admitted[i];
    if (o === undefined || (v.skipped !== undefined && o.kind === 'Pod' && v.skipped.includes('controller')))
      return v;
    return policyProblems(withNativeFindings(v, o, set, opts), o, set);
  });
}
