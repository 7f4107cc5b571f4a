/**
 * NodeClaims on the API server: read from the leader's watch (shared by the duties that use it, started
 * with the first and stopped with the last), written with the API (status through its subresource).
 */
import {
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { ClaimStatus, NodeClaim } from '../provisioner/nodeclaim/object.js';
import type { SharedClaimStore } from '../provisioner/nodeclaim/store.js';
import { statusOf } from './client.js';
import type { Resource } from './informers.js';
import type { LeaderCaches } from './leader-caches.js';

const REF = { group: 'karpenter.sh', version: 'v1', plural: 'nodeclaims' } as const;
const merge = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const tolerate =
  (...codes: number[]) =>
  (e: unknown): void => {
    if (!codes.includes(statusOf(e) ?? 0)) throw e;
  };

export class ApiClaimStore implements SharedClaimStore {
  private cache: Resource<KubernetesObject> | undefined;
  private users = 0;

  constructor(
    private readonly api: KubernetesObjectApi,
    private readonly custom: CustomObjectsApi,
    private readonly shared: LeaderCaches,
  ) {}

  /** A duty starts using the claims (the watch starts with the first). */
  open(): void {
    this.users += 1;
    this.cache = this.shared.acquire('nodeClaims');
  }

  /** A duty is done with the claims (the watch stops with the last). */
  async close(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) this.cache = undefined;
    await this.shared.release('nodeClaims');
  }

  async release(name: string, finalizer: string): Promise<void> {
    const current = await this.api
      .read({ apiVersion: 'karpenter.sh/v1', kind: 'NodeClaim', metadata: { name } })
      .catch((e: unknown) => {
        tolerate(404)(e);
        return undefined;
      });
    const finalizers = current?.metadata?.finalizers ?? [];
    if (!current || !finalizers.includes(finalizer)) return;
    const patch = {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodeClaim',
      metadata: { name, finalizers: finalizers.filter((f) => f !== finalizer) },
    } as KubernetesObject;
    if (patch.metadata && current.metadata?.resourceVersion !== undefined)
      patch.metadata.resourceVersion = current.metadata.resourceVersion;
    await this.api
      .patch(patch, undefined, undefined, 'berth', undefined, PatchStrategy.MergePatch)
      .catch(tolerate(404));
  }

  get synced(): boolean {
    return this.cache?.synced ?? false;
  }

  list(): readonly NodeClaim[] {
    return (this.cache?.list() ?? []) as unknown as NodeClaim[];
  }

  get(name: string): NodeClaim | undefined {
    return this.cache?.get(name) as unknown as NodeClaim | undefined;
  }

  /** Called with each change the watch sees. */
  onChange(l: () => void): () => void {
    return this.cache?.onChange(l) ?? (() => undefined);
  }

  async create(claim: NodeClaim): Promise<void> {
    await this.api.create(claim as unknown as KubernetesObject).catch(tolerate(409));
  }

  async update(
    name: string,
    change: { labels?: Record<string, string>; status?: ClaimStatus },
  ): Promise<void> {
    if (change.labels)
      await this.api.patch(
        { apiVersion: 'karpenter.sh/v1', kind: 'NodeClaim', metadata: { name, labels: change.labels } },
        undefined,
        undefined,
        'berth',
        undefined,
        PatchStrategy.MergePatch,
      );
    if (change.status)
      await this.custom.patchClusterCustomObjectStatus(
        { ...REF, name, body: { status: change.status } },
        merge(),
      );
  }

  async delete(name: string): Promise<void> {
    await this.api
      .delete({ apiVersion: 'karpenter.sh/v1', kind: 'NodeClaim', metadata: { name } })
      .catch(tolerate(404));
  }
}
