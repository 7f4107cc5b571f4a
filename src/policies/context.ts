/**
 * What the rules look at for one object, computed once per evaluation: the workload's pod template,
 * replicas, profile, runtime class, the PDBs and HPA that select it, its placement on the NodePools.
 */
import type { V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject, ObjectRef } from '../kube/objects.js';
import { podRequests, type PodRequests } from '../kube/resources.js';
import type { Labels } from '../kube/selector.js';
import {
  declaredReplicas,
  effectiveReplicas,
  isReplicated,
  podLabelsOf,
  podTemplateOf,
  type PodTemplate,
} from '../kube/workload.js';
import type { PoolFit } from '../scheduling/placement.js';
import { podPlacement } from '../scheduling/pod-placement.js';
import type { Requirements } from '../scheduling/requirements.js';
import { generatePdb, generatedPdbName } from './compile/pdb.js';
import { profileNameFor } from './compile/compile.js';
import { CLASS_LABEL } from '../kube/berth-labels.js';
import type { Policies } from './policies.js';
import type { RuntimeClassConfig } from './schema/policies-schema.js';
import type { WorkloadProfile } from './schema/profile-schema.js';
import { hpaScaling, pdbNamed, pdbsSelecting, workloadNamed, workloadsSelectedBy } from './lookup.js';
import type { ClusterView, HPA, PDB } from './view.js';
import { admittedPodSpec } from '../scheduling/admission-plugins.js';

export interface WorkloadFacts {
  obj: KubeObject;
  template: PodTemplate;
  spec: V1PodSpec;
  podLabels: Labels;
  /** spec.replicas as written (Pods: 1). */
  declared: number | undefined;
  /**
   * Replicas it runs with at least: declared, else the profile's minReplicas, else 1 — and never fewer
   * than the minReplicas of an HPA that scales it.
   */
  replicas: number;
  /** Why `replicas` is what it is when an HPA decided it (for messages), else ''. */
  replicasNote: string;
  profileName: string | undefined;
  profile: WorkloadProfile | undefined;
  className: string | undefined;
  runtimeClass: RuntimeClassConfig | undefined;
  pdbs: PDB[];
  hpa: HPA | undefined;
  requests: PodRequests;
  /** The alternatives (OR) of what its pods require of a node (shared: never mutate). */
  terms: readonly Requirements[];
  /** NodePool fits, closest first (computed on first use; shared: never mutate). */
  fits(): readonly PoolFit[];
}

/** PDBs in the namespace that select pods with these labels, plus the profile's generated one. */
function selectingPdbs(view: ClusterView, ns: string, labels: Labels, generated: PDB | undefined): PDB[] {
  const existing = pdbsSelecting(view.pdbs(ns), labels);
  if (!generated) return existing;
  return [...existing.filter((p) => p.metadata?.name !== generated.metadata?.name), generated];
}

export function hpaFor(
  view: ClusterView,
  ns: string,
  kind: string | undefined,
  name: string,
): HPA | undefined {
  return hpaScaling(view.hpas(ns), kind, name);
}

/** Replicas it runs with: declared, else (replicated kinds) the profile's minReplicas, else 1. */
function runningReplicas(
  obj: KubeObject,
  declared: number | undefined,
  profile: WorkloadProfile | undefined,
): number {
  if (declared !== undefined) return declared;
  return isReplicated(obj.kind) ? (profile?.spec.availability?.minReplicas ?? 1) : effectiveReplicas(obj);
}

/** At least an HPA's minReplicas: it scales the workload, whatever spec.replicas says. */
export function withHpa(replicas: number, hpa: HPA | undefined): { replicas: number; note: string } {
  const min = hpa?.spec.minReplicas ?? 1;
  if (!hpa || min <= replicas) return { replicas, note: '' };
  return { replicas: min, note: ` (HorizontalPodAutoscaler ${hpa.metadata?.name ?? ''}'s minReplicas)` };
}

/** The PDBs that select the workload, with the one its profile generates if it does not exist yet. */
function pdbsOf(
  obj: KubeObject,
  ref: ObjectRef,
  view: ClusterView,
  profile: WorkloadProfile | undefined,
  labels: Labels,
): PDB[] {
  if (!isReplicated(obj.kind) && obj.kind !== 'Pod') return [];
  const exists = pdbNamed(view.pdbs(ref.namespace), generatedPdbName(ref.name)) !== undefined;
  const generated = profile && !exists ? generatePdb(obj, profile) : undefined;
  return selectingPdbs(view, ref.namespace, labels, generated);
}

export function workloadFacts(
  obj: KubeObject,
  ref: ObjectRef,
  view: ClusterView,
  policies: Policies,
): WorkloadFacts | undefined {
  const template = podTemplateOf(obj);
  if (!template) return undefined;
  const profileName = profileNameFor(obj, policies, ref.namespace);
  const profile = profileName === undefined ? undefined : view.profile(ref.namespace, profileName);
  const className =
    profile?.spec.runtimeClass ??
    template.metadata.labels?.[CLASS_LABEL] ??
    obj.metadata?.labels?.[CLASS_LABEL];
  const declared = declaredReplicas(obj);
  const podLabels = podLabelsOf(obj);
  const requests = podRequests(template.spec);
  // Placement is judged on the pods as the API server admits them (EKS adds extended resources' tolerations).
  const spec = admittedPodSpec(template.spec, policies.admissionPlugins);
  const placement = podPlacement(spec, requests, view.nodePools, view.catalog);
  const hpa = hpaFor(view, ref.namespace, obj.kind, ref.name);
  const scaled = withHpa(runningReplicas(obj, declared, profile), hpa);
  return {
    obj,
    template,
    spec,
    podLabels,
    declared,
    replicas: scaled.replicas,
    replicasNote: scaled.note,
    profileName,
    profile,
    className,
    runtimeClass: className === undefined ? undefined : policies.runtimeClasses.get(className),
    pdbs: pdbsOf(obj, ref, view, profile, podLabels),
    hpa,
    requests,
    terms: placement.terms,
    fits: () => placement.fits(),
  };
}

/**
 * Replicas of every workload in the namespace whose pods a PDB selects (the controller's expected
 * count), each at least its HPA's minReplicas.
 */
export function expectedPods(
  pdb: PDB,
  view: ClusterView,
  ns: string,
  self?: { ref: ObjectRef; replicas: number },
): number {
  let total = 0;
  for (const w of selectedWorkloads(pdb, view, ns)) {
    if (self && w.kind === self.ref.kind && w.metadata?.name === self.ref.name) continue;
    total += withHpa(effectiveReplicas(w), hpaFor(view, ns, w.kind, w.metadata?.name ?? '')).replicas;
  }
  return total + (self?.replicas ?? 0);
}

/** Replicated workloads (and bare pods) in the namespace whose pods the PDB selects. */
export function selectedWorkloads(pdb: PDB, view: ClusterView, ns: string): KubeObject[] {
  return workloadsSelectedBy(view.workloads(ns), pdb.spec?.selector);
}

/** The workload an HPA scales, when the view holds it. */
export function hpaTarget(hpa: HPA, view: ClusterView, ns: string): KubeObject | undefined {
  const t = hpa.spec.scaleTargetRef;
  return workloadNamed(view.workloads(ns), t.kind, t.name);
}
