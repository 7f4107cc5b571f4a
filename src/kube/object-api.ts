/**
 * client-node's generic object client, with its resource discovery shared by concurrent calls.
 * KubernetesObjectApi looks up each kind's resource (GET /apis/<group>/<version>) before its first
 * create, patch or delete, and caches the answer once it has come, but calls made while the first
 * lookup is on its way each send their own: a burst's 64 NodeClaim launches at once sent 66 lookups of
 * /apis/karpenter.sh/v1 to an API server busy with the burst's pod creations. Here a lookup in flight
 * is shared by every call for the same kind; once answered, client-node's own cache serves.
 */
import {
  KubernetesObjectApi,
  type Configuration,
  type KubeConfig,
  type V1APIResource,
} from '@kubernetes/client-node';

export class SharedDiscoveryObjectApi extends KubernetesObjectApi {
  private readonly inFlight = new Map<string, Promise<V1APIResource | undefined>>();

  /** For `kc`, as KubernetesObjectApi.makeApiClient makes one (its default namespace set). */
  static forConfig(kc: KubeConfig): SharedDiscoveryObjectApi {
    const api = kc.makeApiClient(SharedDiscoveryObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  /** client-node's lookup, one at a time per kind (calls with their own options are left alone). */
  protected override resource(
    apiVersion: string,
    kind: string,
    options?: Configuration,
  ): Promise<V1APIResource | undefined> {
    if (options !== undefined) return super.resource(apiVersion, kind, options);
    const key = `${apiVersion} ${kind}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const started = super.resource(apiVersion, kind).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }
}

/** The generic object client for `kc`, its discovery shared while in flight. */
export const objectApi = (kc: KubeConfig): KubernetesObjectApi => SharedDiscoveryObjectApi.forConfig(kc);
