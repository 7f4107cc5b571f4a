/**
 * The namespace lookups the rules make for every object — the PDBs that select a pod's labels, the
 * workloads a PDB selects, an HPA by its target, an object by name — through indexes built once per
 * list the view returns, so that judging N objects of one namespace is linear, not N × N scans. The
 * static view keeps a namespace's list until it changes; a list built afresh per call is indexed per
 * call, which costs what one scan did. The answers are exactly the scans': an index only narrows the
 * candidates, `selectorMatches` decides, and results keep the list's order.
 */
import type { KubeObject } from '../kube/objects.js';
import { selectorMatches, type LabelSelector, type Labels } from '../kube/selector.js';
import { isReplicated, podLabelsOf } from '../kube/workload.js';
import type { HPA, PDB } from './view.js';

const pair = (k: string, v: string) => `${k}\u0000${v}`;

/** The first matchLabels pair of a selector: every pod it matches carries it. */
function pivotOf(selector: LabelSelector | null | undefined): string | undefined {
  const m = selector?.matchLabels;
  if (!m) return undefined;
  for (const k in m) {
    const v = m[k];
    if (v !== undefined) return pair(k, v);
  }
  return undefined;
}

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

/** Indexes of `list` (ascending) among `buckets`, merged. */
function merged(buckets: readonly (readonly number[] | undefined)[]): number[] {
  const out = new Set<number>();
  for (const b of buckets) if (b) for (const i of b) out.add(i);
  return [...out].sort((a, b) => a - b);
}

function memo<T extends object, I>(cache: WeakMap<T, I>, owner: T, build: () => I): I {
  let hit = cache.get(owner);
  if (hit === undefined) cache.set(owner, (hit = build()));
  return hit;
}

interface SelectorIndex {
  /** PDBs by their pivot pair; those without one (expressions only, `{}`) are always candidates. */
  byPivot: Map<string, number[]>;
  always: number[];
  byName: Map<string, PDB>;
}

const pdbIndexes = new WeakMap<readonly PDB[], SelectorIndex>();

function pdbIndex(list: readonly PDB[]): SelectorIndex {
  return memo(pdbIndexes, list, () => {
    const ix: SelectorIndex = { byPivot: new Map(), always: [], byName: new Map() };
    list.forEach((p, i) => {
      const pivot = pivotOf(p.spec?.selector);
      if (pivot !== undefined) push(ix.byPivot, pivot, i);
      else ix.always.push(i);
      const name = p.metadata?.name;
      if (name !== undefined && !ix.byName.has(name)) ix.byName.set(name, p);
    });
    return ix;
  });
}

/** The PDBs of `list` whose selector matches these pod labels, in list order. */
export function pdbsSelecting(list: readonly PDB[], labels: Labels): PDB[] {
  const ix = pdbIndex(list);
  const buckets: (readonly number[] | undefined)[] = [ix.always];
  for (const k in labels) {
    const v = labels[k];
    if (v !== undefined) buckets.push(ix.byPivot.get(pair(k, v)));
  }
  const out: PDB[] = [];
  for (const i of merged(buckets)) {
    const p = list[i];
    if (p && selectorMatches(p.spec?.selector ?? null, labels)) out.push(p);
  }
  return out;
}

export function pdbNamed(list: readonly PDB[], name: string): PDB | undefined {
  return pdbIndex(list).byName.get(name);
}

interface WorkloadIndex {
  /** Workloads a PDB can select (replicated kinds and bare Pods) by each of their pod label pairs. */
  byPair: Map<string, number[]>;
  podsOf: number[];
  byKindName: Map<string, KubeObject>;
}

const workloadIndexes = new WeakMap<readonly KubeObject[], WorkloadIndex>();

function workloadIndex(list: readonly KubeObject[]): WorkloadIndex {
  return memo(workloadIndexes, list, () => {
    const ix: WorkloadIndex = { byPair: new Map(), podsOf: [], byKindName: new Map() };
    list.forEach((w, i) => {
      const key = `${w.kind ?? ''}/${w.metadata?.name ?? ''}`;
      if (!ix.byKindName.has(key)) ix.byKindName.set(key, w);
      if (!isReplicated(w.kind) && w.kind !== 'Pod') return;
      ix.podsOf.push(i);
      const labels = podLabelsOf(w);
      for (const k in labels) {
        const v = labels[k];
        if (v !== undefined) push(ix.byPair, pair(k, v), i);
      }
    });
    return ix;
  });
}

/** Replicated workloads (and bare pods) of `list` whose pods the selector matches, in list order. */
export function workloadsSelectedBy(
  list: readonly KubeObject[],
  selector: LabelSelector | null | undefined,
): KubeObject[] {
  const ix = workloadIndex(list);
  const pivot = pivotOf(selector);
  const candidates = pivot === undefined ? ix.podsOf : (ix.byPair.get(pivot) ?? []);
  const out: KubeObject[] = [];
  for (const i of candidates) {
    const w = list[i];
    if (w && selectorMatches(selector ?? null, podLabelsOf(w))) out.push(w);
  }
  return out;
}

export function workloadNamed(
  list: readonly KubeObject[],
  kind: string | undefined,
  name: string,
): KubeObject | undefined {
  return workloadIndex(list).byKindName.get(`${kind ?? ''}/${name}`);
}

const hpaIndexes = new WeakMap<readonly HPA[], Map<string, HPA>>();

/** The first HPA of `list` that scales this workload. */
export function hpaScaling(list: readonly HPA[], kind: string | undefined, name: string): HPA | undefined {
  if (kind === undefined) return undefined;
  const ix = memo(hpaIndexes, list, () => {
    const m = new Map<string, HPA>();
    for (const h of list) {
      const key = `${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`;
      if (!m.has(key)) m.set(key, h);
    }
    return m;
  });
  return ix.get(`${kind}/${name}`);
}
