/**
 * The ValidatingAdmissionPolicies a cluster (or a set of files) holds, ready to judge requests: each
 * policy compiled once, its bindings beside it, the objects its params may name, the namespaces.
 * Built from plain objects; pure.
 */
import type { KubeObject } from '../../kube/objects.js';
import type { Labels } from '../../kube/selector.js';
import { compilePolicy, compileProblems, type CompiledPolicy } from './programs.js';
import { crdResources, resourceOf, splitApiVersion } from './resources.js';
import type { Vap, VapBinding } from './types.js';
import { toCel } from '../../cel/values.js';

export interface BoundPolicy {
  readonly compiled: CompiledPolicy;
  readonly bindings: readonly VapBinding[];
}

const byName = (a: { metadata: { name: string } }, b: { metadata: { name: string } }): number =>
  a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;

export const isVap = (o: KubeObject): boolean =>
  o.kind === 'ValidatingAdmissionPolicy' && (o.apiVersion ?? '').startsWith('admissionregistration.k8s.io/');
export const isVapBinding = (o: KubeObject): boolean =>
  o.kind === 'ValidatingAdmissionPolicyBinding' &&
  (o.apiVersion ?? '').startsWith('admissionregistration.k8s.io/');

export class NativePolicySet {
  /** The policies that judge: those the API server would hold (their expressions compile). */
  readonly bound: readonly BoundPolicy[];
  /** Policies the API server would refuse to create, with its reasons. */
  readonly refused: ReadonlyMap<string, readonly string[]>;
  private readonly objects: readonly KubeObject[];
  private readonly namespaces = new Map<string, KubeObject>();
  readonly crds: ReturnType<typeof crdResources>;
  private readonly paramCache = new Map<string, KubeObject[]>();
  private readonly celCache = new WeakMap<KubeObject, unknown>();
  private readonly labelCache = new Map<string, Labels>();
  private readonly namespacedCache = new Map<string, boolean>();

  constructor(objects: readonly KubeObject[]) {
    const policies = objects.filter(isVap) as unknown as Vap[];
    const bindings = (objects.filter(isVapBinding) as unknown as VapBinding[]).sort(byName);
    const all = [...policies].sort(byName).map((p) => ({
      compiled: compilePolicy(p),
      bindings: bindings.filter((b) => b.spec.policyName === p.metadata.name),
    }));
    const refused = new Map<string, readonly string[]>();
    for (const bp of all) {
      const problems = compileProblems(bp.compiled);
      if (problems.length > 0) refused.set(bp.compiled.policy.metadata.name, problems);
    }
    this.refused = refused;
    this.bound = all.filter((bp) => !refused.has(bp.compiled.policy.metadata.name));
    this.objects = objects;
    for (const o of objects)
      if (o.kind === 'Namespace' && o.metadata?.name) this.namespaces.set(o.metadata.name, o);
    this.crds = crdResources(objects);
  }

  get size(): number {
    return this.bound.length + this.refused.size;
  }

  /** The Namespace object as the API server holds it (one not among the inputs: as created bare). */
  namespace(name: string): KubeObject {
    let ns = this.namespaces.get(name);
    if (ns === undefined) {
      ns = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      };
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  namespaceLabels(name: string): Labels {
    let labels = this.labelCache.get(name);
    if (labels === undefined) {
      const ns = this.namespace(name);
      labels = { 'kubernetes.io/metadata.name': name, ...(ns.metadata?.labels ?? {}) };
      this.labelCache.set(name, labels);
    }
    return labels;
  }

  /** A params object's CEL form, built once. */
  celOf(o: KubeObject): unknown {
    let v = this.celCache.get(o);
    if (v === undefined) this.celCache.set(o, (v = toCel(o)));
    return v;
  }

  /** The objects of a paramKind, in one namespace (undefined: every namespace, or cluster-scoped kinds). */
  paramObjects(
    paramKind: { apiVersion?: string; kind?: string },
    namespace: string | undefined,
  ): KubeObject[] {
    const key = `${paramKind.apiVersion ?? ''}/${paramKind.kind ?? ''}/${namespace ?? '*'}`;
    let found = this.paramCache.get(key);
    if (found === undefined) this.paramCache.set(key, (found = this.findParams(paramKind, namespace)));
    return found;
  }

  private findParams(
    paramKind: { apiVersion?: string; kind?: string },
    namespace: string | undefined,
  ): KubeObject[] {
    const [group, version] = splitApiVersion(paramKind.apiVersion ?? '');
    return this.objects
      .filter((o) => {
        if (o.kind !== paramKind.kind) return false;
        const [g, v] = splitApiVersion(o.apiVersion ?? '');
        return g === group && v === version;
      })
      .filter((o) => namespace === undefined || (o.metadata?.namespace ?? 'default') === namespace)
      .sort((a, b) =>
        `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`.localeCompare(
          `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`,
        ),
      );
  }

  paramNamespaced(paramKind: { apiVersion?: string; kind?: string }): boolean {
    const key = `${paramKind.apiVersion ?? ''}/${paramKind.kind ?? ''}`;
    let namespaced = this.namespacedCache.get(key);
    if (namespaced === undefined) this.namespacedCache.set(key, (namespaced = this.isNamespaced(paramKind)));
    return namespaced;
  }

  private isNamespaced(paramKind: { apiVersion?: string; kind?: string }): boolean {
    return resourceOf({ apiVersion: paramKind.apiVersion ?? '', kind: paramKind.kind ?? '' }, this.crds)
      .namespaced;
  }
}
