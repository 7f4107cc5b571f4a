/**
 * The simulated and kwok clouds in a cluster: their instances' Nodes registered through the API server
 * (and deleted on termination), and the Node API registration of real instances uses.
 */
import { randomBytes } from 'node:crypto';
import type { KubernetesObjectApi, V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { LABEL } from '../catalog/instance-type.js';
import { statusOf } from '../kube/client.js';
import { deleteNode, patchNode } from '../kube/node-writes.js';
import type { Instance } from '../provisioner/cloud/provider.js';
import type { NodeApi } from './duties/provisioning-wiring.js';

/**
 * Node registration through the API server, as a kubelet would: at once and Ready (`simulated`), or,
 * for `kwok`, after the registration delay, annotated for kwok and without conditions, so that kwok
 * makes it Ready, keeps it heartbeating and moves its pods through Running and Terminating.
 */
export function nodeRegistrar(api: KubernetesObjectApi, logger: Logger, kwok?: { delayMs: number }) {
  const create = async (node: V1Node): Promise<void> => {
    try {
      await api.create(node);
    } catch (e) {
      // 409: registered before a restart; the Node is already there.
      if (statusOf(e) !== 409) throw e;
    }
    logger.info({ node: node.metadata?.name }, kwok ? 'kwok node registered' : 'simulated node registered');
  };
  return {
    register: async (node: V1Node): Promise<void> => {
      if (!kwok) return create(node);
      const managed = kwokNode(node);
      // The launch returns at once; the Node appears later, as an instance's kubelet registers.
      setTimeout(() => {
        create(managed).catch((e: unknown) => {
          logger.error({ node: node.metadata?.name, err: String(e) }, 'kwok node not registered');
        });
      }, kwok.delayMs).unref();
      return Promise.resolve();
    },
    deregister: async (name: string): Promise<void> => {
      await api.delete({ apiVersion: 'v1', kind: 'Node', metadata: { name } }).catch((e: unknown) => {
        if (statusOf(e) !== 404) logger.warn({ node: name, err: String(e) }, 'simulated node not deleted');
      });
    },
    /** The simulated instances earlier leaders launched: the Nodes they registered. */
    registered: async (): Promise<Instance[]> => {
      const nodes = await api.list<V1Node>('v1', 'Node');
      return nodes.items.flatMap((n) => simulatedInstance(n) ?? []);
    },
    idPrefix: randomBytes(2).toString('hex'),
  };
}

/** The annotation kwok manages Nodes by (run kwok with --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake). */
export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

/** A simulated instance's Node as kwok manages it: annotated, its conditions left to kwok. */
export function kwokNode(node: V1Node): V1Node {
  const managed = structuredClone(node);
  managed.metadata ??= {};
  managed.metadata.annotations = { ...managed.metadata.annotations, [KWOK_ANNOTATION]: 'fake' };
  if (managed.status) delete managed.status.conditions;
  return managed;
}

/** The simulated instance a Node registered by the simulated cloud stands for. */
function simulatedInstance(n: V1Node): Instance | undefined {
  const providerId = n.spec?.providerID ?? '';
  const m = /^aws:\/\/\/([^/]*)\/(i-sim[0-9a-f]+)$/.exec(providerId);
  const l = n.metadata?.labels ?? {};
  if (!m?.[2]) return undefined;
  return {
    id: m[2],
    claim: n.metadata?.name ?? '',
    nodePool: l[LABEL.nodePool] ?? '',
    instanceType: l[LABEL.instanceType] ?? '',
    zone: m[1] ?? '',
    capacityType: l[LABEL.capacityType] ?? '',
    providerId,
    launchedAt: new Date(n.metadata?.creationTimestamp ?? 0),
  };
}

/** Registration's hands: a merge patch of a Node's labels and taints, and deleting a Node. */
export function nodeApi(api: KubernetesObjectApi): NodeApi {
  return {
    patch: (node, patch) => patchNode(api, node.metadata?.name ?? '', { labels: patch.labels }, patch.taints),
    delete: (name) => deleteNode(api, name),
  };
}
