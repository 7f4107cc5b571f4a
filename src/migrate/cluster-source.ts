/**
 * What `berth migrate` reads from a cluster, read-only: Karpenter's NodePools and EC2NodeClasses (none
 * when their CRDs are not served), the Nodes, the workloads whose opt-in it works out, and the claims,
 * volumes and StorageClasses those mount. Lists carry
 * no kind: it is set.
 */
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  StorageV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { KubeObject } from '../kube/objects.js';
import { kinded, listCustom, retried, unreadable } from '../kube/cluster-lists.js';

/** What it lists, by API group (verb list). */
export const MIGRATE_READS: Readonly<Record<string, readonly string[]>> = {
  '': ['nodes', 'pods', 'persistentvolumeclaims', 'persistentvolumes'],
  apps: ['deployments', 'statefulsets', 'daemonsets'],
  batch: ['jobs', 'cronjobs'],
  'karpenter.sh': ['nodepools'],
  'karpenter.k8s.aws': ['ec2nodeclasses'],
  'storage.k8s.io': ['storageclasses'],
};

export async function migrateObjects(kc: KubeConfig): Promise<KubeObject[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const storage = kc.makeApiClient(StorageV1Api);
  const crd = (kind: string, group: string, plural: string) =>
    listCustom(custom, { kind, group, version: 'v1', plural });
  try {
    const lists = await retried(() =>
      Promise.all([
        crd('NodePool', 'karpenter.sh', 'nodepools'),
        crd('EC2NodeClass', 'karpenter.k8s.aws', 'ec2nodeclasses'),
        core.listNode().then((l) => kinded('Node', l.items)),
        core.listPodForAllNamespaces().then((l) => kinded('Pod', l.items)),
        // The volumes the workloads mount: what made them, and where they are.
        core
          .listPersistentVolumeClaimForAllNamespaces()
          .then((l) => kinded('PersistentVolumeClaim', l.items)),
        core.listPersistentVolume().then((l) => kinded('PersistentVolume', l.items)),
        storage.listStorageClass().then((l) => kinded('StorageClass', l.items)),
        apps.listDeploymentForAllNamespaces().then((l) => kinded('Deployment', l.items)),
        apps.listStatefulSetForAllNamespaces().then((l) => kinded('StatefulSet', l.items)),
        apps.listDaemonSetForAllNamespaces().then((l) => kinded('DaemonSet', l.items)),
        batch.listJobForAllNamespaces().then((l) => kinded('Job', l.items)),
        batch.listCronJobForAllNamespaces().then((l) => kinded('CronJob', l.items)),
      ]),
    );
    return lists.flat();
  } catch (e) {
    throw unreadable(kc, e, 'give the files with -f');
  }
}
