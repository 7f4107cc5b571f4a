/**
 * The cluster's ValidatingAdmissionPolicies, their bindings, the params they name and the
 * namespaces, read through the API (the I/O edge of native policies): listed again on each refresh,
 * and kept as a NativePolicySet while nothing changed. A kind Berth may not list (RBAC) leaves the
 * policies that take it without params; the refresh says which.
 */
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeObject } from '../../kube/objects.js';
import { NativePolicySet, isVap } from './policy-set.js';
import type { Vap } from './types.js';

const API = 'admissionregistration.k8s.io/v1';

/** A policy `berth policies vap` generated (its label names the rule). */
const isBerthRule = (o: KubeObject): boolean =>
  o.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'berth' &&
  o.metadata.labels['berth.dev/rule'] !== undefined;

async function listAll(api: KubernetesObjectApi, apiVersion: string, kind: string): Promise<KubeObject[]> {
  const list = await api.list(apiVersion, kind);
  return list.items.map((o) => ({ ...o, apiVersion, kind }));
}

const fingerprint = (objects: readonly KubeObject[]): string =>
  objects
    .map(
      (o) =>
        `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`,
    )
    .sort()
    .join('\n');

export interface NativeRefresh {
  set: NativePolicySet;
  /** Whether anything differs from the previous refresh. */
  changed: boolean;
  /** Param kinds that could not be listed, with why. */
  unreadable: string[];
}

export class ClusterNativePolicies {
  private last = '';
  private current = new NativePolicySet([]);

  constructor(private readonly api: KubernetesObjectApi) {}

  get set(): NativePolicySet {
    return this.current;
  }

  async refresh(): Promise<NativeRefresh> {
    // Berth's own rules, generated as policies (berth policies vap), are judged by Berth's engine already.
    const policies = (await listAll(this.api, API, 'ValidatingAdmissionPolicy')).filter(
      (p) => !isBerthRule(p),
    );
    const bindings =
      policies.length === 0 ? [] : await listAll(this.api, API, 'ValidatingAdmissionPolicyBinding');
    const unreadable: string[] = [];
    const params: KubeObject[] = [];
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    for (const p of policies.filter(isVap) as unknown as Vap[]) {
      const k = p.spec.paramKind;
      if (k?.apiVersion && k.kind)
        kinds.set(`${k.apiVersion}/${k.kind}`, { apiVersion: k.apiVersion, kind: k.kind });
    }
    for (const { apiVersion, kind } of kinds.values()) {
      try {
        params.push(...(await listAll(this.api, apiVersion, kind)));
      } catch (e) {
        unreadable.push(`${kind}.${apiVersion}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const namespaces = policies.length === 0 ? [] : await listAll(this.api, 'v1', 'Namespace');
    const objects = [...policies, ...bindings, ...params, ...namespaces];
    const print = fingerprint(objects);
    const changed = print !== this.last;
    if (changed) {
      this.last = print;
      this.current = new NativePolicySet(objects);
    }
    return { set: this.current, changed, unreadable };
  }
}
