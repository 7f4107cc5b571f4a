/** Writes to Nodes that disruption, registration and the simulated cloud share. */
import {
  PatchStrategy,
  type KubernetesObjectApi,
  type V1Node,
  type V1ObjectMeta,
  type V1Taint,
} from '@kubernetes/client-node';
import { statusOf } from './client.js';

/** A patch of a Node as Berth's field manager; `gone` (the default) takes a Node already deleted as done. */
async function patchAs(
  api: KubernetesObjectApi,
  body: Pick<V1Node, 'metadata' | 'spec'>,
  strategy: PatchStrategy,
  gone = true,
): Promise<void> {
  try {
    await api.patch(
      { apiVersion: 'v1', kind: 'Node', ...body },
      undefined,
      undefined,
      'berth',
      undefined,
      strategy,
    );
  } catch (e) {
    if (!gone || statusOf(e) !== 404) throw e;
  }
}

/**
 * One merge patch: the labels and annotations given (a null value removes one) and, as merge patches
 * replace lists, the Node's whole taint list.
 */
export async function patchNode(
  api: KubernetesObjectApi,
  name: string,
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string | null> },
  taints: V1Taint[],
): Promise<void> {
  // A null value removes a key in a merge patch; the client's types know only strings.
  const meta = { name, ...metadata } as V1ObjectMeta;
  await patchAs(api, { metadata: meta, spec: { taints } }, PatchStrategy.MergePatch, false);
}

/** Deletes a Node; one already gone is fine. */
export async function deleteNode(api: KubernetesObjectApi, name: string): Promise<void> {
  try {
    await api.delete({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
}

/**
 * Adds a finalizer to a Node with a strategic merge patch: the API server merges it into the list it
 * holds (a Node's finalizers merge as a set), so no resourceVersion is sent and neither a heartbeat
 * nor another controller's write in between makes it conflict. A Node already gone is fine.
 */
export async function addNodeFinalizer(
  api: KubernetesObjectApi,
  name: string,
  finalizer: string,
): Promise<void> {
  await patchAs(api, { metadata: { name, finalizers: [finalizer] } }, PatchStrategy.StrategicMergePatch);
}

/**
 * Sets a Node's finalizers to `finalizers` (a merge patch replaces the list), at the resourceVersion it
 * was read at, so a finalizer another controller added meanwhile is not lost (409: the next round
 * reads it again). A Node already gone is fine.
 */
export async function setNodeFinalizers(
  api: KubernetesObjectApi,
  node: V1Node,
  finalizers: string[],
): Promise<void> {
  const meta = {
    name: node.metadata?.name ?? '',
    resourceVersion: node.metadata?.resourceVersion,
    finalizers: [...new Set(finalizers)],
  } as V1ObjectMeta;
  await patchAs(api, { metadata: meta }, PatchStrategy.MergePatch);
}

/**
 * Takes one finalizer off a Node (setNodeFinalizers, at the resourceVersion read). When that read was
 * stale (409), the Node is read again and the patch sent once more at once: a lifecycle round reads
 * its Nodes from a cache, and at 2,000 Nodes, with kwok's heartbeats and a watch seconds behind, most
 * of those patches conflicted round after round while the Nodes waited to go. A Node gone, or without
 * the finalizer any more, is done.
 */
export async function releaseNodeFinalizer(
  api: KubernetesObjectApi,
  node: V1Node,
  finalizer: string,
): Promise<void> {
  const without = (n: V1Node) => (n.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
  try {
    await setNodeFinalizers(api, node, without(node));
  } catch (e) {
    if (statusOf(e) !== 409) throw e;
    let fresh: V1Node;
    try {
      fresh = await api.read<V1Node>({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: node.metadata?.name ?? '' },
      });
    } catch (r) {
      if (statusOf(r) === 404) return;
      throw r;
    }
    if (!(fresh.metadata?.finalizers ?? []).includes(finalizer)) return;
    await setNodeFinalizers(api, fresh, without(fresh));
  }
}
