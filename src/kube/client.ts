/** The cluster connection: a kubeconfig from a flag, $KUBECONFIG, ~/.kube/config or the Pod's service account. */
import { KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (kc.getCurrentCluster() === null)
    throw new Error('no cluster in the kubeconfig; pass --kubeconfig or run in a Pod');
  return kc;
}
