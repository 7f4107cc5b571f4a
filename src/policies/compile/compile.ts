/**
 * The profile compiler: (workload, profile, policies) → the compiled workload, its generated PDB and
 * notes of what changed. Pure and idempotent: compiling a compiled object changes nothing. Explicit
 * values win over profile defaults; where a rule forbids them it says so (the validating half).
 */
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { declaredReplicas, isCompiledKind, isReplicated, podTemplateOf, setReplicas, workloadSelector, stableLabels } from '../../kube/workload.js';
import type { PoolView } from '../../scheduling/nodepool.js';
import type { Policies } from '../policies.js';
import type { WorkloadProfile } from '../schema/profile-schema.js';
import { compileCompute } from './containers.js';
import { generatePdb } from './pdb.js';
import { classTolerations, compileClassPlacement, compileOnDemand } from './placement.js';
import { compileSpread } from './spread.js';
import { compileSurge } from './surge.js';

export const PROFILE_LABEL = 'berth.dev/profile';
export const CLASS_LABEL = 'berth.dev/runtime-class';
export const COMPILED_FROM = 'berth.dev/compiled-from';

export interface Compiled {
  object: KubeObject;
  pdb: V1PodDisruptionBudget | undefined;
  notes: string[];
}

export function profileNameFor(obj: KubeObject, policies: Policies, defaultNamespace = 'default'): string | undefined {
  return obj.metadata?.labels?.[PROFILE_LABEL] ?? policies.defaultProfile(obj.metadata?.namespace ?? defaultNamespace);
}

function setLabel(meta: { labels?: Record<string, string> }, key: string, value: string): void {
  (meta.labels ??= {})[key] = value;
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
  const cls = policies.runtimeClasses.get(spec.runtimeClass);
  const meta = (object.metadata ??= {});

  const minReplicas = spec.availability?.minReplicas;
  if (isReplicated(object.kind) && declaredReplicas(object) === undefined && minReplicas !== undefined) {
    setReplicas(object, minReplicas);
    notes.push(`replicas ${minReplicas}`);
  }
  compileCompute(template.spec, spec.compute, cls?.memoryLimitRatio ?? 1, notes);

  const selector = isReplicated(object.kind) ? workloadSelector(object) : { matchLabels: stableLabels(template.metadata.labels ?? {}) };
  if (selector) {
    compileSpread(template.spec, spec.availability?.zoneSpread ?? 'preferred', selector, object.kind === 'Deployment', notes);
  }
  if (cls) compileClassPlacement(template.spec, cls, classTolerations(cls, pools), notes);
  if (spec.cost?.spotAllowed === false) compileOnDemand(template.spec, notes);
  const maxScale = Math.max(declaredReplicas(object) ?? 1, spec.scaling?.maxReplicas ?? 0);
  compileSurge(object, spec.scaling?.maxBurstPods, maxScale, notes);

  for (const m of [meta, template.metadata]) {
    setLabel(m, PROFILE_LABEL, profile.metadata.name);
    setLabel(m, CLASS_LABEL, spec.runtimeClass);
  }
  (meta.annotations ??= {})[COMPILED_FROM] = `${profile.metadata.name}@${profile.metadata.resourceVersion ?? 'local'}`;
  return { object, pdb: generatePdb(object, profile), notes };
}
