/** runtimeClass → node selector and tolerations; spotAllowed: false → on-demand node affinity. */
import type { V1NodeSelectorTerm, V1PodSpec, V1Toleration } from '@kubernetes/client-node';
import type { PoolView } from '../../scheduling/nodepool.js';
import { tolerates, type Toleration } from '../../scheduling/taints.js';
import type { RuntimeClassConfig } from '../schema/policies-schema.js';
import { COMPUTE_TYPE, inVocabulary } from '../../scheduling/vocabulary.js';

export const CAPACITY_TYPE = 'karpenter.sh/capacity-type';

/** Tolerations a class's pods need: the class's own, then one per NoSchedule/NoExecute taint of its pools. */
export function classTolerations(cls: RuntimeClassConfig, pools: readonly PoolView[]): Toleration[] {
  const out: Toleration[] = [...(cls.tolerations ?? [])];
  for (const p of pools) {
    if (!cls.nodePools.includes(p.name)) continue;
    for (const taint of p.taints) {
      if (taint.effect === 'PreferNoSchedule' || out.some((t) => tolerates(t, taint))) continue;
      out.push(
        taint.value === undefined || taint.value === ''
          ? { key: taint.key, operator: 'Exists', effect: taint.effect }
          : { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect },
      );
    }
  }
  return out;
}

/**
 * The node selector a class's pods get. When every NodePool of the class is an EKS Auto Mode pool it
 * is written in Auto Mode's vocabulary: instance labels under `eks.amazonaws.com/`, and
 * `eks.amazonaws.com/compute-type: auto` so that the pods stay on Auto Mode nodes in a mixed cluster.
 */
export function classNodeSelector(
  cls: RuntimeClassConfig,
  pools: readonly PoolView[],
): Record<string, string> {
  const own = cls.nodeSelector ?? {};
  const mine = pools.filter((p) => cls.nodePools.includes(p.name));
  if (mine.length === 0 || !mine.every((p) => p.autoMode)) return { ...own };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(own)) out[inVocabulary(key, 'auto')] = value;
  out[COMPUTE_TYPE] ??= 'auto';
  return out;
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? '') === (b.key ?? '') &&
    (a.operator ?? 'Equal') === (b.operator ?? 'Equal') &&
    (a.value ?? '') === (b.value ?? '') &&
    (a.effect ?? '') === (b.effect ?? '')
  );
}

export function compileClassPlacement(
  spec: V1PodSpec,
  cls: RuntimeClassConfig,
  pools: readonly PoolView[],
  notes: string[],
): void {
  compileNodeSelector(spec, classNodeSelector(cls, pools), notes);
  compileTolerations(spec, classTolerations(cls, pools), notes);
}

function compileNodeSelector(
  spec: V1PodSpec,
  labels: Readonly<Record<string, string>>,
  notes: string[],
): void {
  for (const [key, value] of Object.entries(labels)) {
    const selector = (spec.nodeSelector ??= {});
    if (selector[key] === undefined) {
      selector[key] = value;
      notes.push(`nodeSelector ${key}=${value}`);
    } else if (selector[key] !== value) {
      notes.push(`kept explicit nodeSelector ${key}=${selector[key]} (class wants ${value})`);
    }
  }
}

function toToleration(t: Toleration): V1Toleration {
  const out: V1Toleration = {};
  if (t.key !== undefined) out.key = t.key;
  if (t.operator !== undefined) out.operator = t.operator;
  if (t.value !== undefined) out.value = t.value;
  if (t.effect !== undefined) out.effect = t.effect;
  return out;
}

function compileTolerations(spec: V1PodSpec, tolerations: readonly Toleration[], notes: string[]): void {
  for (const t of tolerations) {
    const list = (spec.tolerations ??= []);
    if (list.some((x) => sameToleration(x, t))) continue;
    list.push(toToleration(t));
    notes.push(`toleration ${t.key ?? '*'}${t.value ? `=${t.value}` : ''}:${t.effect ?? '*'}`);
  }
}

/** Adds capacity-type In [on-demand] to every required node selector term that says nothing of it. */
export function compileOnDemand(spec: V1PodSpec, notes: string[]): void {
  if (spec.nodeSelector?.[CAPACITY_TYPE] !== undefined) return;
  const affinity = (spec.affinity ??= {});
  const nodeAffinity = (affinity.nodeAffinity ??= {});
  const required = (nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ??= {
    nodeSelectorTerms: [],
  });
  const terms: V1NodeSelectorTerm[] = required.nodeSelectorTerms;
  if (terms.length === 0) terms.push({ matchExpressions: [] });
  let added = false;
  for (const term of terms) {
    const exprs = (term.matchExpressions ??= []);
    if (exprs.some((e) => e.key === CAPACITY_TYPE)) continue;
    exprs.push({ key: CAPACITY_TYPE, operator: 'In', values: ['on-demand'] });
    added = true;
  }
  if (added) notes.push(`node affinity ${CAPACITY_TYPE} In [on-demand]`);
}
