import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { register, registrationPatch, wanted, type RegistrationPatch } from './registration.js';

const pool: NodePool = {
  metadata: { name: 'web' },
  spec: {
    template: {
      metadata: { labels: { team: 'web', 'node-role.kubernetes.io/web': '' } },
      spec: {
        nodeClassRef: { name: 'default' },
        taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }],
        startupTaints: [{ key: 'example.com/agent', effect: 'NoSchedule' }],
      },
    },
  },
};
const instance = {
  id: 'i-1',
  claim: 'berth-1',
  nodePool: 'web',
  instanceType: 'm5.large',
  zone: 'us-east-1a',
  capacityType: 'spot',
  providerId: 'aws:///us-east-1a/i-1',
  launchedAt: new Date(0),
};

/** What a kubelet registered from the launch template's user data. */
function kubeletNode(): V1Node {
  return {
    metadata: {
      name: 'ip-10-0-0-1.ec2.internal',
      labels: {
        'kubernetes.io/hostname': 'ip-10-0-0-1.ec2.internal',
        team: 'web',
        'karpenter.sh/nodepool': 'web',
      },
    },
    spec: {
      providerID: 'aws:///us-east-1a/i-1',
      taints: [
        { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
        { key: 'karpenter.sh/unregistered', effect: 'NoExecute' },
      ],
    },
  };
}

describe('registration', () => {
  it('adds the labels and taints the kubelet could not set, lifts unregistered, once', () => {
    const want = wanted(instance, poolView(pool), builtinCatalog());
    const patch = registrationPatch(kubeletNode(), want);
    expect(patch?.labels).toMatchObject({
      'node-role.kubernetes.io/web': '',
      'karpenter.k8s.aws/instance-family': 'm5',
      'karpenter.sh/capacity-type': 'spot',
      'karpenter.sh/registered': 'true',
    });
    expect(patch?.labels).not.toHaveProperty('kubernetes.io/hostname');
    expect(patch?.labels).not.toHaveProperty('team');
    expect(patch?.taints).toEqual([
      { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
      { key: 'example.com/agent', effect: 'NoSchedule' },
    ]);
    const registered = kubeletNode();
    registered.metadata!.labels!['karpenter.sh/registered'] = 'true';
    expect(registrationPatch(registered, want)).toBeUndefined();
  });

  it('patches only Nodes of instances it knows', async () => {
    const patched: [string, RegistrationPatch][] = [];
    const other = kubeletNode();
    other.spec!.providerID = 'aws:///us-east-1a/i-other';
    const done = await register([kubeletNode(), other], {
      instanceOf: (id) => (id === 'i-1' ? instance : undefined),
      pools: () => [poolView(pool)],
      catalog: () => builtinCatalog(),
      patch: (node, patch) => {
        patched.push([node.metadata?.name ?? '', patch]);
        return Promise.resolve();
      },
    });
    expect(done).toEqual(['ip-10-0-0-1.ec2.internal']);
    expect(patched).toHaveLength(1);
  });
});
