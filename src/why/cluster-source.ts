/**
 * The objects `berth why` reads, listed from a cluster with read-only access: Nodes, Pods, PDBs,
 * PersistentVolumes and their claims, DaemonSets, Deployments, Events, and Karpenter's NodePools, NodeClaims,
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
import { kinded, listCustom, retried, unreadable } from '../kube/cluster-lists.js';

/** What `berth why` lists, by API group: deploy/rbac/berth-why.yaml grants exactly these, verb list. */
export const WHY_READS: Readonly<Record<string, readonly string[]>> = {
  '': ['nodes', 'pods', 'persistentvolumes', 'persistentvolumeclaims', 'events'],
  policy: ['poddisruptionbudgets'],
  apps: ['daemonsets', 'deployments'],
  'karpenter.sh': ['nodepools', 'nodeclaims', 'nodeoverlays'],
  'karpenter.k8s.aws': ['ec2nodeclasses'],
};

export async function clusterObjects(kc: KubeConfig): Promise<KubeObject[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const crd = (kind: string, group: string, version: string, plural: string) =>
    listCustom(custom, { kind, group, version, plural });
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
        apps.listDeploymentForAllNamespaces().then((l) => kinded('Deployment', l.items)),
        core.listEventForAllNamespaces().then((l) => kinded('Event', l.items)),
        crd('NodePool', 'karpenter.sh', 'v1', 'nodepools'),
        crd('NodeClaim', 'karpenter.sh', 'v1', 'nodeclaims'),
        crd('EC2NodeClass', 'karpenter.k8s.aws', 'v1', 'ec2nodeclasses'),
        crd('NodeOverlay', 'karpenter.sh', 'v1alpha1', 'nodeoverlays'),
      ]),
    );
    return lists.flat();
  } catch (e) {
    throw unreadable(kc, e, 'give a dump with -f');
  }
}
