import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/objects.js';
import type { CapacityBuffer, CapacityBufferSpec } from '../../scheduling/capacity-buffer.js';
import { bufferStatus } from './capacitybuffer-status.js';

const template = {
  kind: 'PodTemplate',
  metadata: { name: 'chunk', namespace: 'shop' },
  template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] } },
} as KubeObject;
const cb = (spec: CapacityBufferSpec): CapacityBuffer => ({
  kind: 'CapacityBuffer',
  metadata: { name: 'b', namespace: 'shop', generation: 3 },
  spec,
});

describe('a CapacityBuffer’s status, as Karpenter’s controller writes it', () => {
  it('resolved: ReadyForProvisioning True, its replicas and PodTemplate', () => {
    expect(bufferStatus(cb({ podTemplateRef: { name: 'chunk' }, limits: { cpu: '3' } }), [template])).toEqual(
      {
        provisioningStrategy: 'buffer.x-k8s.io/active-capacity',
        replicas: 3,
        podTemplateRef: { name: 'chunk' },
        conditions: [
          {
            type: 'ReadyForProvisioning',
            status: 'True',
            reason: 'Resolved',
            message: 'Pod template resolved successfully',
            observedGeneration: 3,
          },
        ],
      },
    );
  });

  it('not resolved: False, with the reason and what is missing', () => {
    const s = bufferStatus(cb({ scalableRef: { kind: 'Deployment', name: 'web' }, replicas: 2 }), [template]);
    expect(s.replicas).toBeUndefined();
    expect(s.podTemplateRef).toBeNull();
    expect(s.conditions[0]).toMatchObject({
      status: 'False',
      reason: 'ScalableRefNotFound',
      message: 'Deployment shop/web not found',
    });
  });
});
