/**
 * What `berth migrate` reads from a cluster, read-only: Karpenter's NodePools and EC2NodeClasses (none
 * when their CRDs are not served), the Nodes, and the workloads whose opt-in it works out. Lists carry
 * no kind: it is set.
 */
import { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';

/** What it lists, by API group (verb list). */
export const MIGRATE_READS: Readonly<Record<string, readonly string[]>> = {
  '': ['nodes', 'pods'],
  apps: ['deployments', 'statefulsets', 'daemonsets'],
  batch: ['jobs', 'cronjobs'],
  'karpenter.sh': ['nodepools'],
  'karpenter.k8s.aws': ['ec2nodeclasses'],
};

const kinded = (kind: string, items: readonly object[]): KubeObject[] =>
  items.map((o): KubeObject => ({ ...o, kind }));

export async function migrateObjects(kc: KubeConfig): Promise<KubeObject[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const crd = async (kind: string, group: string, plural: string) => {
    try {
      const l = (await custom.listClusterCustomObject({ group, version: 'v1', plural })) as {
        items?: object[];
      };
      return kinded(kind, l.items ?? []);
    } catch (e) {
      // A CRD the cluster does not serve: nothing of that kind. Anything else is an error.
      if ((e as { code?: number }).code === 404) return [];
      throw e;
    }
  };
  try {
    const lists = await Promise.all([
      crd('NodePool', 'karpenter.sh', 'nodepools'),
      crd('EC2NodeClass', 'karpenter.k8s.aws', 'ec2nodeclasses'),
      core.listNode().then((l) => kinded('Node', l.items)),
      core.listPodForAllNamespaces().then((l) => kinded('Pod', l.items)),
      apps.listDeploymentForAllNamespaces().then((l) => kinded('Deployment', l.items)),
      apps.listStatefulSetForAllNamespaces().then((l) => kinded('StatefulSet', l.items)),
      apps.listDaemonSetForAllNamespaces().then((l) => kinded('DaemonSet', l.items)),
      batch.listJobForAllNamespaces().then((l) => kinded('Job', l.items)),
      batch.listCronJobForAllNamespaces().then((l) => kinded('CronJob', l.items)),
    ]);
    return lists.flat();
  } catch (e) {
    const server = kc.getCurrentCluster()?.server ?? 'no cluster in the kubeconfig';
    throw new Error(
      `cannot read the cluster (${server}): ${e instanceof Error ? e.message : String(e)}; offline, give the files with -f`,
      { cause: e },
    );
  }
}
