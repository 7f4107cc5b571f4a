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

/** The HTTP status of an API server error from client-node (`code` or `statusCode`), if it has one. */
export function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const x = e as { code?: unknown; statusCode?: unknown };
  const v = x.code ?? x.statusCode;
  return typeof v === 'number' ? v : undefined;
}
