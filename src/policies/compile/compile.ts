/**
 * The profile compiler: (workload, profile, policies) → the compiled workload, its generated PDB and
 * notes of what changed. Pure and idempotent: compiling a compiled object changes nothing. Explicit
 * values win over profile defaults; where a rule forbids them it says so (the validating half).
 */
import type { V1ObjectMeta, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import {
  declaredReplicas,
  isCompiledKind,
  isReplicated,
  podTemplateOf,
  setReplicas,
  stableLabels,
  workloadSelector,
  type PodTemplate,
} from '../../kube/workload.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { LabelSelector } from '../../kube/selector.js';
import type { Policies } from '../policies.js';
import type { WorkloadProfile } from '../schema/profile-schema.js';
import { compileCompute } from './containers.js';
import { generatePdb } from './pdb.js';
import { compileClassPlacement, compileOnDemand } from './placement.js';
import { compileSpread } from './spread.js';
import { compileSurge } from './surge.js';
import { CLASS_LABEL } from '../../kube/berth-labels.js';

export const PROFILE_LABEL = 'berth.dev/profile';
export const COMPILED_FROM = 'berth.dev/compiled-from';

export interface Compiled {
  object: KubeObject;
  pdb: V1PodDisruptionBudget | undefined;
  notes: string[];
}

export function profileNameFor(
  obj: KubeObject,
  policies: Policies,
  defaultNamespace = 'default',
): string | undefined {
  return (
    obj.metadata?.labels?.[PROFILE_LABEL] ??
    policies.defaultProfile(obj.metadata?.namespace ?? defaultNamespace)
  );
}

function compileReplicas(object: KubeObject, minReplicas: number | undefined, notes: string[]): void {
  if (!isReplicated(object.kind) || declaredReplicas(object) !== undefined || minReplicas === undefined)
    return;
  setReplicas(object, minReplicas);
  notes.push(`replicas ${minReplicas}`);
}

function compilePlacement(
  template: PodTemplate,
  profile: WorkloadProfile,
  policies: Policies,
  pools: readonly PoolView[],
  notes: string[],
): void {
  const cls = policies.runtimeClasses.get(profile.spec.runtimeClass);
  if (cls) compileClassPlacement(template.spec, cls, pools, notes);
  if (profile.spec.cost?.spotAllowed === false) compileOnDemand(template.spec, notes);
}

function stamp(meta: V1ObjectMeta, template: PodTemplate, profile: WorkloadProfile): void {
  for (const m of [meta, template.metadata]) {
    m.labels = {
      ...(m.labels ?? {}),
      [PROFILE_LABEL]: profile.metadata.name,
      [CLASS_LABEL]: profile.spec.runtimeClass,
    };
  }
  meta.annotations = {
    ...(meta.annotations ?? {}),
    [COMPILED_FROM]: `${profile.metadata.name}@${profile.metadata.resourceVersion ?? 'local'}`,
  };
}

/** Replicated kinds spread over their selector; Jobs and Pods over their own stable pod labels. */
function spreadSelector(object: KubeObject, template: PodTemplate): LabelSelector | undefined {
  return isReplicated(object.kind)
    ? workloadSelector(object)
    : { matchLabels: stableLabels(template.metadata.labels ?? {}) };
}

export function compile(
  input: KubeObject,
  profile: WorkloadProfile,
  policies: Policies,
  pools: readonly PoolView[] = [],
): Compiled {
  const object = structuredClone(input);
  const notes: string[] = [];
  const template = podTemplateOf(object);
  if (!isCompiledKind(object.kind) || !template) return { object, pdb: undefined, notes };
  const spec = profile.spec;
  const ratio = policies.runtimeClasses.get(spec.runtimeClass)?.memoryLimitRatio ?? 1;

  compileReplicas(object, spec.availability?.minReplicas, notes);
  compileCompute(template.spec, spec.compute, ratio, notes);
  const selector = spreadSelector(object, template);
  if (selector)
    compileSpread(
      template.spec,
      spec.availability?.zoneSpread ?? 'preferred',
      selector,
      object.kind === 'Deployment',
      notes,
    );
  compilePlacement(template, profile, policies, pools, notes);
  compileSurge(
    object,
    spec.scaling?.maxBurstPods,
    Math.max(declaredReplicas(object) ?? 1, spec.scaling?.maxReplicas ?? 0),
    notes,
  );
  stamp((object.metadata ??= {}), template, profile);
  return { object, pdb: generatePdb(object, profile), notes };
}
