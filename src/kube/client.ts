/** The cluster connection: a kubeconfig from a flag, $KUBECONFIG, ~/.kube/config or the Pod's service account. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { PooledKubeConfig } from './pooled-config.js';

/**
 * The kubeconfig: --kubeconfig, else $KUBECONFIG, ~/.kube/config or the Pod's service account. With
 * none of them, client-node would talk to http://localhost:8080; say instead that no cluster is set.
 * Its requests share one keep-alive connection pool (pooled-config.ts).
 */
export function loadKubeConfig(path?: string, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new PooledKubeConfig();
  const home = env.HOME ?? homedir();
  if (
    path === undefined &&
    !env.KUBECONFIG &&
    !env.KUBERNETES_SERVICE_HOST &&
    !existsSync(join(home, '.kube', 'config'))
  )
    throw new Error(
      'no cluster is configured: no --kubeconfig, no $KUBECONFIG, no ~/.kube/config, and not running in a Pod',
    );
  if (path !== undefined) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (kc.getCurrentCluster() === null)
    throw new Error('no cluster in the kubeconfig; pass --kubeconfig or run in a Pod');
  return kc;
}

export { statusOf } from '../util/http-status.js';
