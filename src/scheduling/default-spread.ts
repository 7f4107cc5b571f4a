/**
 * The cluster's default topology spread constraints applied to a pod that declares none, with the
 * selector kube-scheduler deduces for it (k8s.io/kubernetes pkg/scheduler/framework/plugins
 * helper.DefaultSelector; Karpenter v1.15 DefaultTopologySpreadInjector): the selectors of the
 * Services in its namespace that select it, merged as equality matches, then its controller's
 * selector — a ReplicationController's labels, a ReplicaSet's or StatefulSet's selector as
 * requirements. A pod with no such selector is left unconstrained. Only the solver's copy changes;
 * nothing is written back. Pure.
 */
import type { V1TopologySpreadConstraint } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';
import { selectorMatches, type LabelSelector, type LabelSelectorRequirement } from '../kube/selector.js';
import { podTemplateOf } from '../kube/workload.js';
import type { DefaultConstraint } from './scheduler-config.js';

/** What the deduction reads from the cluster (or the files): Services and pod controllers. */
export interface SpreadWorld {
  /** The Services of a namespace. */
  readonly services: (namespace: string) => readonly KubeObject[];
  /** A controller of a namespace by kind and name (ReplicaSet, StatefulSet, ReplicationController, Deployment). */
  readonly owner: (namespace: string, kind: string, name: string) => KubeObject | undefined;
}

const HASH = 'pod-template-hash';

/** A LabelSelector as requirements (matchLabels as single-value In), as Karpenter's requirementsFrom. */
function requirementsFrom(selector: LabelSelector | undefined): LabelSelectorRequirement[] {
  if (!selector) return [];
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, v]) => ({ key, operator: 'In', values: [v] })),
    ...(selector.matchExpressions ?? []).map((e) => ({
      ...e,
      ...(e.values ? { values: [...e.values] } : {}),
    })),
  ];
}

interface Owner {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

const specOf = (o: KubeObject | undefined) => (o?.spec ?? {}) as { selector?: unknown };

/** A ReplicaSet's selector from its Deployment when the ReplicaSet itself is not at hand: the Deployment's and the hash. */
function replicaSetOf(
  ns: string,
  rs: string,
  labels: Readonly<Record<string, string>>,
  w: SpreadWorld,
): Owner | undefined {
  const found = w.owner(ns, 'ReplicaSet', rs);
  if (found)
    return { matchExpressions: requirementsFrom(specOf(found).selector as LabelSelector | undefined) };
  const hash = labels[HASH];
  if (hash === undefined || !rs.endsWith(`-${hash}`)) return undefined;
  const deployment = w.owner(ns, 'Deployment', rs.slice(0, -hash.length - 1));
  if (!deployment) return undefined;
  const selector = specOf(deployment).selector as LabelSelector | undefined;
  return { matchExpressions: [...requirementsFrom(selector), { key: HASH, operator: 'In', values: [hash] }] };
}

/** A workload's own contribution (Deployment and ReplicaSet: its ReplicaSet's selector), if its kind has one. */
function workloadOwner(obj: KubeObject): Owner | undefined {
  const selector = specOf(obj).selector;
  // A Deployment's pods belong to a ReplicaSet whose selector is the Deployment's and the template's
  // hash, which every replica planned from one template shares.
  if (obj.kind === 'Deployment' || obj.kind === 'ReplicaSet' || obj.kind === 'StatefulSet')
    return { matchExpressions: requirementsFrom(selector as LabelSelector | undefined) };
  if (obj.kind !== 'ReplicationController') return undefined;
  const map = (selector as Record<string, string> | undefined) ?? podTemplateOf(obj)?.metadata.labels;
  return map && Object.keys(map).length > 0 ? { matchLabels: map } : undefined;
}

/** The controller's contribution for a workload object itself, or for a Pod through its ownerReference. */
function ownerOf(
  obj: KubeObject,
  ns: string,
  labels: Readonly<Record<string, string>>,
  w: SpreadWorld,
): Owner | undefined {
  if (obj.kind !== 'Pod') return workloadOwner(obj);
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!ref) return undefined;
  if (ref.kind === 'ReplicaSet') return replicaSetOf(ns, ref.name, labels, w);
  if (ref.kind !== 'StatefulSet' && ref.kind !== 'ReplicationController') return undefined;
  const found = w.owner(ns, ref.kind, ref.name);
  return found ? workloadOwner(found) : undefined;
}

/** helper.DefaultSelector: undefined when nothing selects the pod (it is then not defaulted). */
export function defaultSelector(
  obj: KubeObject,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  w: SpreadWorld,
): LabelSelector | undefined {
  const matchLabels: Record<string, string> = {};
  for (const svc of w.services(namespace)) {
    const sel = (svc.spec as { selector?: Record<string, string> | null } | undefined)?.selector;
    // A Service without a selector selects nothing; an empty one selects every pod but adds nothing.
    if (sel === undefined || sel === null) continue;
    if (selectorMatches({ matchLabels: sel }, labels)) Object.assign(matchLabels, sel);
  }
  const owner = ownerOf(obj, namespace, labels, w);
  Object.assign(matchLabels, owner?.matchLabels ?? {});
  const matchExpressions = [...(owner?.matchExpressions ?? [])];
  if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return undefined;
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

/**
 * The object with the default constraints in its pod template when the template declares none and a
 * selector can be deduced (all or nothing, as kube-scheduler); otherwise the object itself.
 */
export function withDefaultSpread(
  obj: KubeObject,
  defaultNamespace: string,
  constraints: readonly DefaultConstraint[],
  w: SpreadWorld,
): KubeObject {
  if (constraints.length === 0) return obj;
  const template = podTemplateOf(obj);
  if (!template || (template.spec.topologySpreadConstraints ?? []).length > 0) return obj;
  const namespace = obj.metadata?.namespace ?? defaultNamespace;
  const selector = defaultSelector(obj, namespace, template.metadata.labels ?? {}, w);
  if (!selector) return obj;
  const spread: V1TopologySpreadConstraint[] = constraints.map((c) => ({
    ...c,
    labelSelector: structuredClone(selector),
  }));
  return replaceTemplateSpread(obj, spread);
}

/** A copy of the object whose pod spec (a Pod's own, a workload's template) carries `spread`. */
function replaceTemplateSpread(obj: KubeObject, spread: V1TopologySpreadConstraint[]): KubeObject {
  const copy = structuredClone(obj) as KubeObject & { spec?: Record<string, unknown> };
  const spec = copy.spec ?? {};
  if (copy.kind === 'Pod') spec.topologySpreadConstraints = spread;
  else {
    const holder =
      copy.kind === 'CronJob'
        ? (spec.jobTemplate as { spec?: Record<string, unknown> } | undefined)?.spec
        : spec;
    const template = holder?.template as { spec?: Record<string, unknown> } | undefined;
    if (template?.spec) template.spec.topologySpreadConstraints = spread;
  }
  return copy;
}

/** The Services and controllers among a set of objects (`berth plan`'s files). */
export function spreadWorldOf(objects: readonly KubeObject[], defaultNamespace: string): SpreadWorld {
  const ns = (o: KubeObject) => o.metadata?.namespace ?? defaultNamespace;
  const byKey = new Map(objects.map((o) => [`${ns(o)}/${o.kind ?? ''}/${o.metadata?.name ?? ''}`, o]));
  const services = new Map<string, KubeObject[]>();
  for (const o of objects) if (o.kind === 'Service') services.set(ns(o), [...(services.get(ns(o)) ?? []), o]);
  return {
    services: (namespace) => services.get(namespace) ?? [],
    owner: (namespace, kind, name) => byKey.get(`${namespace}/${kind}/${name}`),
  };
}
