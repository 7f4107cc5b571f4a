/**
 * The objects `berth why` reads, listed from a cluster with read-only access: Nodes, Pods, PDBs,
 * PersistentVolumes and their claims, DaemonSets, Events, and Karpenter's NodePools, NodeClaims,
 * EC2NodeClasses and NodeOverlays (none when their CRDs are not served). Lists carry no kind: it is set.
 */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PolicyV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';

/** What `berth why` lists, by API group: deploy/rbac/berth-why.yaml grants exactly these, verb list. */
export const WHY_READS: Readonly<Record<string, readonly string[]>> = {
  '': ['nodes', 'pods', 'persistentvolumes', 'persistentvolumeclaims', 'events'],
  policy: ['poddisruptionbudgets'],
  apps: ['daemonsets'],
  'karpenter.sh': ['nodepools', 'nodeclaims', 'nodeoverlays'],
  'karpenter.k8s.aws': ['ec2nodeclasses'],
};

const kinded = (kind: string, items: readonly object[]): KubeObject[] =>
  items.map((o): KubeObject => ({ ...o, kind }));

/** An API server busy (429, e.g. while a CRD's storage initializes) is asked again, twice, a second apart. */
async function retried<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      if ((e as { code?: number }).code !== 429 || attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export async function clusterObjects(kc: KubeConfig): Promise<KubeObject[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const crd = async (kind: string, group: string, version: string, plural: string) => {
    try {
      const l = (await custom.listClusterCustomObject({ group, version, plural })) as { items?: object[] };
      return kinded(kind, l.items ?? []);
    } catch (e) {
      // A CRD the cluster does not serve: nothing of that kind. Anything else is an error.
      if ((e as { code?: number }).code === 404) return [];
      throw e;
    }
  };
  try {
    const lists = await retried(() =>
      Promise.all([
        core.listNode().then((l) => kinded('Node', l.items)),
        core.listPodForAllNamespaces().then((l) => kinded('Pod', l.items)),
        policy.listPodDisruptionBudgetForAllNamespaces().then((l) => kinded('PodDisruptionBudget', l.items)),
        core.listPersistentVolume().then((l) => kinded('PersistentVolume', l.items)),
        core
          .listPersistentVolumeClaimForAllNamespaces()
          .then((l) => kinded('PersistentVolumeClaim', l.items)),
        apps.listDaemonSetForAllNamespaces().then((l) => kinded('DaemonSet', l.items)),
        core.listEventForAllNamespaces().then((l) => kinded('Event', l.items)),
        crd('NodePool', 'karpenter.sh', 'v1', 'nodepools'),
        crd('NodeClaim', 'karpenter.sh', 'v1', 'nodeclaims'),
        crd('EC2NodeClass', 'karpenter.k8s.aws', 'v1', 'ec2nodeclasses'),
        crd('NodeOverlay', 'karpenter.sh', 'v1alpha1', 'nodeoverlays'),
      ]),
    );
    return lists.flat();
  } catch (e) {
    const server = kc.getCurrentCluster()?.server ?? 'no cluster in the kubeconfig';
    throw new Error(
      `cannot read the cluster (${server}): ${e instanceof Error ? e.message : String(e)}; offline, give a dump with -f`,
      { cause: e },
    );
  }
}
