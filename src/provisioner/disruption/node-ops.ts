/**
 * What disruption does to the cluster and the cloud: mark a node (the `karpenter.sh/disrupted`
 * NoSchedule taint and Berth's annotation, so a new leader finds the drain where the old one left it),
 * unmark it, evict a pod through the Eviction API (policy/v1: the API server applies the PDBs), and
 * terminate the instance and delete the Node. The controller decides; this only carries out.
 */
import {
  PatchStrategy,
  type CoreV1Api,
  type KubernetesObjectApi,
  type V1Deployment,
  type V1Node,
  type V1Pod,
  type V1Taint,
} from '@kubernetes/client-node';
import type { CloudProvider } from '../cloud/provider.js';
import { instanceIdOf } from '../cloud/provider.js';
import { DISRUPTED_TAINT } from './candidates.js';
import {
  DECISION_ANNOTATION,
  DISRUPTION_ANNOTATION,
  REPLACEMENTS_ANNOTATION,
  SINCE_ANNOTATION,
} from './marks.js';
import { statusOf } from '../../kube/client.js';
import { deleteNode, patchNode } from '../../kube/node-writes.js';
import { surgePatch } from './surge.js';

export type EvictionResult = 'evicted' | 'gone' | 'blocked';

export interface NodeOps {
  /**
   * Sets the phase annotation, and any other annotations given, and taints the node — unless `taint`
   * is false: an emptiness or consolidation decision in its validation delay, which pods may still
   * come to (the check then drops it), as Karpenter taints only once a command is validated.
   */
  mark(node: V1Node, phase: string, annotations?: Record<string, string>, taint?: boolean): Promise<void>;
  unmark(node: V1Node): Promise<void>;
  evict(pod: V1Pod): Promise<EvictionResult>;
  /** Deletes a pod outright (terminationGracePeriod ran out: no PDB or do-not-disrupt holds it). */
  /** Deletes the pod (this one: its UID), with this grace period when given (a deadline's). */
  deletePod(pod: V1Pod, gracePeriodSeconds?: number): Promise<void>;
  terminate(node: V1Node): Promise<void>;
  /**
   * The pods bound to a node now, read from the API server rather than a cache: a drain is only done
   * when this agrees, since kube-scheduler may bind a pod in the moment before it sees the taint.
   */
  podsOn(nodeName: string): Promise<V1Pod[]>;
  /**
   * Starts a surge-first move of a single-replica Deployment's pod off `node` (surge.ts): whether the
   * API server took the change (a refusal — RBAC, an admission policy — leaves the pod to eviction).
   */
  surge?(deployment: V1Deployment, node: string): Promise<SurgeStarted>;
}

/** A surge-first move started, or why it could not be (its pod is then evicted). */
export type SurgeStarted = { ok: true } | { ok: false; why: string };

export class ApiNodeOps implements NodeOps {
  constructor(
    private readonly api: KubernetesObjectApi,
    private readonly core: CoreV1Api,
    private readonly cloud: CloudProvider,
  ) {}

  private async patch(
    node: V1Node,
    taints: V1Taint[],
    annotations: Record<string, string | null>,
  ): Promise<void> {
    await patchNode(this.api, node.metadata?.name ?? '', { annotations }, taints);
  }

  async mark(
    node: V1Node,
    phase: string,
    annotations: Record<string, string> = {},
    taint = true,
  ): Promise<void> {
    const others = (node.spec?.taints ?? []).filter((t) => t.key !== DISRUPTED_TAINT);
    const taints = taint ? [...others, { key: DISRUPTED_TAINT, effect: 'NoSchedule' }] : others;
    await this.patch(node, taints, {
      ...annotations,
      [DISRUPTION_ANNOTATION]: phase,
    });
  }

  async unmark(node: V1Node): Promise<void> {
    await this.patch(
      node,
      (node.spec?.taints ?? []).filter((t) => t.key !== DISRUPTED_TAINT),
      {
        [DISRUPTION_ANNOTATION]: null,
        [REPLACEMENTS_ANNOTATION]: null,
        [SINCE_ANNOTATION]: null,
        [DECISION_ANNOTATION]: null,
      },
    );
  }

  async evict(pod: V1Pod): Promise<EvictionResult> {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? 'default';
    try {
      await this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace },
          ...(pod.metadata?.uid ? { deleteOptions: { preconditions: { uid: pod.metadata.uid } } } : {}),
        },
      });
      return 'evicted';
    } catch (e) {
      const code = statusOf(e);
      // 404: gone already; 409: a newer pod of that name (the precondition): this one is gone.
      if (code === 404 || code === 409) return 'gone';
      // 429: a PDB allows no eviction now; 500: more than one PDB selects the pod.
      if (code === 429 || code === 500) return 'blocked';
      throw e;
    }
  }

  async deletePod(pod: V1Pod, gracePeriodSeconds?: number): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? 'default',
        ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
        ...(pod.metadata?.uid !== undefined ? { body: { preconditions: { uid: pod.metadata.uid } } } : {}),
      });
    } catch (e) {
      // 404: gone; 409: a newer pod of that name (the precondition): this one is gone.
      const code = statusOf(e);
      if (code !== 404 && code !== 409) throw e;
    }
  }

  async podsOn(nodeName: string): Promise<V1Pod[]> {
    const list = await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` });
    return list.items;
  }

  async surge(deployment: V1Deployment, node: string): Promise<SurgeStarted> {
    try {
      await this.api.patch(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: {
            name: deployment.metadata?.name ?? '',
            namespace: deployment.metadata?.namespace ?? 'default',
          },
          ...surgePatch(node),
        },
        undefined,
        undefined,
        'berth',
        undefined,
        PatchStrategy.MergePatch,
      );
      return { ok: true };
    } catch (e) {
      const code = statusOf(e);
      if (code === undefined || code >= 500) throw e;
      return {
        ok: false,
        why: `the API server refused the change (${code}): ${(e as Error).message.split('\n')[0] ?? ''}`,
      };
    }
  }

  async terminate(node: V1Node): Promise<void> {
    const id = instanceIdOf(node.spec?.providerID);
    if (id !== undefined) await this.cloud.delete(id);
    await deleteNode(this.api, node.metadata?.name ?? '');
  }
}
