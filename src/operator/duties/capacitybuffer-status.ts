/**
 * Each CapacityBuffer's status, as Karpenter's capacitybuffer controller writes it: the
 * ReadyForProvisioning condition (True, Resolved; or False with PodTemplateNotFound,
 * ScalableRefNotFound or ResolutionFailed and why), the chunks it stands for (`replicas`), the
 * PodTemplate it was resolved from, the strategy — written where it changed. Part of the nodeclaims
 * duty (mode berth: beside Karpenter, its controller writes them).
 */
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ACTIVE_CAPACITY, resolveBuffer, type CapacityBuffer } from '../../scheduling/capacity-buffer.js';
import { bufferObjects, type BufferSources } from '../../provisioner/input/buffers.js';

/** The status a buffer is given for what it resolves to. */
export function bufferStatus(cb: CapacityBuffer, objects: Parameters<typeof resolveBuffer>[1]) {
  const r = resolveBuffer(cb, objects);
  const condition = r.ok
    ? {
        type: 'ReadyForProvisioning',
        status: 'True',
        reason: 'Resolved',
        message: 'Pod template resolved successfully',
      }
    : { type: 'ReadyForProvisioning', status: 'False', reason: r.reason, message: r.message };
  return {
    provisioningStrategy: cb.spec?.provisioningStrategy ?? ACTIVE_CAPACITY,
    ...(r.ok ? { replicas: r.replicas } : {}),
    podTemplateRef: r.ok && r.podTemplate !== undefined ? { name: r.podTemplate } : null,
    conditions: [{ ...condition, observedGeneration: cb.metadata?.generation ?? 0 }],
  };
}

export class CapacityBufferStatusWriter {
  private readonly written = new Map<string, string>();

  constructor(
    private readonly w: {
      readonly custom: CustomObjectsApi;
      readonly logger: Logger;
      readonly buffers?: () => BufferSources | undefined;
    },
  ) {}

  /** A new leader writes every status again. */
  forget(): void {
    this.written.clear();
  }

  async round(): Promise<void> {
    const sources = this.w.buffers?.();
    if (!sources || sources.buffers.length === 0) return;
    const objects = bufferObjects(sources);
    for (const cb of sources.buffers as CapacityBuffer[]) {
      const namespace = cb.metadata?.namespace ?? 'default';
      const name = cb.metadata?.name ?? '';
      const status = bufferStatus(cb, objects);
      const key = JSON.stringify(status);
      const id = `${namespace}/${name}`;
      if (this.written.get(id) === key) continue;
      const now = new Date().toISOString();
      const body = {
        status: { ...status, conditions: status.conditions.map((c) => ({ ...c, lastTransitionTime: now })) },
      };
      try {
        await this.w.custom.patchNamespacedCustomObjectStatus(
          {
            group: 'autoscaling.x-k8s.io',
            version: 'v1beta1',
            namespace,
            plural: 'capacitybuffers',
            name,
            body,
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        this.written.set(id, key);
      } catch (e) {
        this.w.logger.warn({ capacityBuffer: id, err: String(e) }, 'CapacityBuffer status not written');
      }
    }
  }
}
