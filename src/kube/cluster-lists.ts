/**
 * Read-only lists for the commands that read a cluster (`berth why`, `berth migrate`): listed items
 * carry no kind, so it is set; a CRD the cluster does not serve (404) lists as none, any other error
 * is one; and a cluster that cannot be read is said with its server and what to do offline.
 */
import type { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from './objects.js';

export const kinded = (kind: string, items: readonly object[]): KubeObject[] =>
  items.map((o): KubeObject => ({ ...o, kind }));

/** The objects of a cluster-scoped custom resource; none when its CRD is not served. */
export async function listCustom(
  custom: CustomObjectsApi,
  r: { kind: string; group: string; version: string; plural: string },
): Promise<KubeObject[]> {
  try {
    const l = (await custom.listClusterCustomObject({
      group: r.group,
      version: r.version,
      plural: r.plural,
    })) as { items?: object[] };
    return kinded(r.kind, l.items ?? []);
  } catch (e) {
    if ((e as { code?: number }).code === 404) return [];
    throw e;
  }
}

/** An API server busy (429, e.g. while a CRD's storage initializes) is asked again, twice, a second apart. */
export async function retried<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      if ((e as { code?: number }).code !== 429 || attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** The error a command reports when the cluster cannot be read. */
export function unreadable(kc: KubeConfig, e: unknown, offline: string): Error {
  const server = kc.getCurrentCluster()?.server ?? 'no cluster in the kubeconfig';
  return new Error(
    `cannot read the cluster (${server}): ${e instanceof Error ? e.message : String(e)}; offline, ${offline}`,
    { cause: e },
  );
}
