/**
 * A workload's opt-in to migrated pools, as a pod spec: the toleration of the migration taint, the
 * node selector that picks the new nodes, and its own node selector and required node affinity with
 * each label key the new nodes name differently (`karpenter.k8s.aws/instance-family` →
 * `eks.amazonaws.com/instance-family`), or dropped when they carry no such label (then said: the
 * workload would lose its nodes). The `kubectl patch` that applies it to the object. Pure.
 */
import type {
  V1NodeAffinity,
  V1NodeSelectorRequirement,
  V1PodSpec,
  V1Toleration,
} from '@kubernetes/client-node';
import type { Taint } from '../scheduling/taints.js';
import type { KubeObject } from '../kube/objects.js';
import { PROFILE_LABEL } from '../policies/compile/compile.js';

/** What a key becomes on the new nodes: the same key, another, or none (undefined). */
export type Rename = (key: string) => string | undefined;
/** What a selected value becomes (a pool's name, when the pool is made again under another). */
export type Revalue = (key: string, value: string) => string;
const same: Revalue = (_k, v) => v;

export interface OptIn {
  readonly spec: V1PodSpec;
  /** Keys the workload selects on that were renamed (old → new). */
  readonly renamed: readonly (readonly [string, string])[];
  /** Keys the workload selects on that the new nodes do not carry. */
  readonly lost: readonly string[];
  /** The part of the pod spec the patch sets. */
  readonly patch: Record<string, unknown>;
}

interface Rewrite {
  readonly rename: Rename;
  readonly revalue: Revalue;
  readonly renamed: Map<string, string>;
  readonly lost: Set<string>;
}

const tolerationOf = (t: Taint): V1Toleration => ({ key: t.key, operator: 'Exists', effect: t.effect });

function tolerated(tolerations: readonly V1Toleration[], t: Taint): boolean {
  return tolerations.some(
    (x) =>
      (x.operator === 'Exists' && (x.key === undefined || x.key === '' || x.key === t.key)) ||
      (x.key === t.key && (x.effect === undefined || x.effect === '' || x.effect === t.effect)),
  );
}

function renameExpressions(
  exprs: readonly V1NodeSelectorRequirement[] | undefined,
  r: Rewrite,
): V1NodeSelectorRequirement[] | undefined {
  if (exprs === undefined) return undefined;
  return exprs.flatMap((e) => {
    const key = r.rename(e.key);
    if (key === undefined) {
      r.lost.add(e.key);
      return [];
    }
    const values = e.values?.map((v) => r.revalue(e.key, v));
    const changed = values !== undefined && values.some((v, i) => v !== e.values?.[i]);
    if (key !== e.key || changed) r.renamed.set(e.key, key);
    return [{ ...e, key, ...(values !== undefined ? { values } : {}) }];
  });
}

/** The node selector with keys renamed and `selector` added, and its merge patch (null removes a key). */
function selectorPart(
  spec: V1PodSpec,
  selector: Record<string, string>,
  r: Rewrite,
): { nodeSelector: Record<string, string>; patch: Record<string, string | null> } {
  const nodeSelector: Record<string, string> = {};
  const patch: Record<string, string | null> = {};
  for (const [k, old] of Object.entries(spec.nodeSelector ?? {})) {
    const key = r.rename(k);
    const v = r.revalue(k, old);
    if (key === undefined) r.lost.add(k);
    else nodeSelector[key] = v;
    if (key !== k) patch[k] = null;
    if (key !== undefined && (key !== k || v !== old)) {
      r.renamed.set(k, key);
      patch[key] = v;
    }
  }
  for (const [k, v] of Object.entries(selector))
    if (nodeSelector[k] !== v) {
      nodeSelector[k] = v;
      patch[k] = v;
    }
  return { nodeSelector, patch };
}

/** Required node affinity with keys renamed; a term left with nothing to match goes, and an affinity of none. */
function affinityPart(
  spec: V1PodSpec,
  r: Rewrite,
): { affinity: NonNullable<V1PodSpec['affinity']>; patch: unknown } | undefined {
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return undefined;
  const before = r.renamed.size + r.lost.size;
  const terms = required.nodeSelectorTerms.flatMap((t) => {
    const matchExpressions = renameExpressions(t.matchExpressions, r);
    if (matchExpressions === undefined) return [t];
    if (matchExpressions.length === 0 && (t.matchFields ?? []).length === 0) return [];
    return [{ ...t, matchExpressions }];
  });
  if (r.renamed.size + r.lost.size === before) return undefined;
  const others: V1NodeAffinity = {};
  const preferred = spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (preferred !== undefined) others.preferredDuringSchedulingIgnoredDuringExecution = preferred;
  const kept = terms.length > 0;
  const nodeAffinity = kept
    ? { ...others, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } }
    : others;
  return {
    affinity: Object.assign({}, spec.affinity, { nodeAffinity }),
    patch: {
      nodeAffinity: kept ? nodeAffinity : { ...others, requiredDuringSchedulingIgnoredDuringExecution: null },
    },
  };
}

/** The pod spec of a workload that opts in (`selector` added, `taint` tolerated, keys renamed). */
export function optIn(
  spec: V1PodSpec,
  taint: Taint | undefined,
  selector: Record<string, string>,
  rename: Rename,
  revalue: Revalue = same,
): OptIn {
  const r: Rewrite = { rename, revalue, renamed: new Map(), lost: new Set() };
  const out: V1PodSpec = { ...spec };
  const patch: Record<string, unknown> = {};
  const sel = selectorPart(spec, selector, r);
  if (Object.keys(sel.nodeSelector).length > 0) out.nodeSelector = sel.nodeSelector;
  if (Object.keys(sel.patch).length > 0) patch.nodeSelector = sel.patch;
  const tolerations = spec.tolerations ?? [];
  if (taint !== undefined && !tolerated(tolerations, taint)) {
    out.tolerations = [...tolerations, tolerationOf(taint)];
    patch.tolerations = out.tolerations;
  }
  const aff = affinityPart(spec, r);
  if (aff) {
    out.affinity = aff.affinity;
    patch.affinity = aff.patch;
  }
  return { spec: out, renamed: [...r.renamed], lost: [...r.lost], patch };
}

/** Where a kind keeps its pod spec, for a merge patch. */
function wrap(kind: string, podSpec: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'CronJob') return { spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } };
  return { spec: { template: { spec: podSpec } } };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command that applies an opt-in to a workload (a bare Pod is made again instead: its spec is fixed). */
export function patchCommand(obj: KubeObject, o: OptIn): string {
  const kind = obj.kind ?? '';
  const ns = obj.metadata?.namespace ?? 'default';
  const name = obj.metadata?.name ?? '';
  if (kind === 'Pod') return `# Pod ${ns}/${name}: make it again with ${JSON.stringify(o.patch)} in its spec`;
  // Berth's webhook compiles a profiled workload's placement from its runtime class: move the class.
  const profile = obj.metadata?.labels?.[PROFILE_LABEL];
  if (profile !== undefined)
    return `# ${kind} ${ns}/${name} is compiled from WorkloadProfile ${profile}: give its runtime class in policies.yaml the new pool, with ${JSON.stringify(o.patch)}`;
  return `kubectl -n ${ns} patch ${kind.toLowerCase()} ${name} --type merge -p ${shellQuote(JSON.stringify(wrap(kind, o.patch)))}`;
}
