/**
 * Kinds as the API server's discovery names them: resource (plural), group and scope, for the
 * built-in kinds a policy matches on, and for CustomResourceDefinitions among the inputs. Pure.
 */
import type { KubeObject } from '../../kube/objects.js';
import { isClusterScoped } from '../../kube/objects.js';

const IRREGULAR: Record<string, string> = {
  Endpoints: 'endpoints',
  PodSecurityPolicy: 'podsecuritypolicies',
  NetworkPolicy: 'networkpolicies',
  PriorityClass: 'priorityclasses',
  StorageClass: 'storageclasses',
  IngressClass: 'ingressclasses',
  RuntimeClass: 'runtimeclasses',
  ResourceQuota: 'resourcequotas',
};

const plurals = new Map<string, string>();

/** The plural the API server gives a kind (lower case; `y` → `ies`, `s`/`x` → `es`). */
export function pluralOf(kind: string): string {
  let plural = plurals.get(kind);
  if (plural === undefined) {
    if (plurals.size > 1024) plurals.clear();
    plurals.set(kind, (plural = derivePlural(kind)));
  }
  return plural;
}

function derivePlural(kind: string): string {
  const irregular = IRREGULAR[kind];
  if (irregular) return irregular;
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

export interface ResourceInfo {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}

/** Custom resources declared by CustomResourceDefinitions among the inputs, by `group/Kind`. */
export function crdResources(
  objects: readonly KubeObject[],
): Map<string, { plural: string; namespaced: boolean }> {
  const out = new Map<string, { plural: string; namespaced: boolean }>();
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition') continue;
    const spec = o.spec as
      { group?: string; names?: { kind?: string; plural?: string }; scope?: string } | undefined;
    if (!spec?.group || !spec.names?.kind || !spec.names.plural) continue;
    out.set(`${spec.group}/${spec.names.kind}`, {
      plural: spec.names.plural,
      namespaced: spec.scope !== 'Cluster',
    });
  }
  return out;
}

export function resourceOf(
  obj: KubeObject,
  crds: ReadonlyMap<string, { plural: string; namespaced: boolean }> = new Map(),
): ResourceInfo {
  const [group, version] = splitApiVersion(obj.apiVersion ?? '');
  const kind = obj.kind ?? '';
  const crd = crds.get(`${group}/${kind}`);
  if (crd) return { group, version, resource: crd.plural, namespaced: crd.namespaced };
  return { group, version, resource: pluralOf(kind), namespaced: !isClusterScoped(kind) };
}

export function splitApiVersion(apiVersion: string): [string, string] {
  const at = apiVersion.indexOf('/');
  return at < 0 ? ['', apiVersion] : [apiVersion.slice(0, at), apiVersion.slice(at + 1)];
}
