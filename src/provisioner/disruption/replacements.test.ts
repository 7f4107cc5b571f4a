import { describe, expect, it } from 'vitest';
import type { CloudProvider, Instance } from '../cloud/provider.js';
import { MemoryClaimStore } from '../nodeclaim/store.js';
import { TERMINATION_FINALIZER, type NodeClaim } from '../nodeclaim/object.js';
import { claimLauncher } from './replacements.js';
import { ZERO } from '../solver/resources.js';

const claim = (name: string): NodeClaim =>
  ({
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodeClaim',
    metadata: { name, finalizers: [TERMINATION_FINALIZER] },
    spec: {
      nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
      requirements: [],
    },
  }) as unknown as NodeClaim;

const instance = (claimName: string): Instance => ({
  id: `i-${claimName}`,
  claim: claimName,
  nodePool: 'general',
  instanceType: 'm6i.large',
  zone: 'us-east-1a',
  capacityType: 'on-demand',
  providerId: `aws:///us-east-1a/i-${claimName}`,
  launchedAt: new Date(0),
});

describe("an abandoned decision's replacements", () => {
  it('deletes a joined claim like kubectl delete nodeclaim (drained, then terminated) and ends an unjoined one at once', async () => {
    const claims = new MemoryClaimStore();
    await claims.create(claim('joined'));
    await claims.create(claim('launching'));
    await claims.update('joined', {
      status: { nodeName: 'joined', providerID: 'aws:///us-east-1a/i-joined' },
    });
    const deleted: string[] = [];
    const cloud: CloudProvider = {
      name: 'simulated',
      create: () => Promise.reject(new Error('not here')),
      delete: (id) => {
        deleted.push(id);
        return Promise.resolve();
      },
      list: () => Promise.resolve([instance('joined'), instance('launching')]),
    };
    const launcher = claimLauncher(
      { launch: () => Promise.reject(new Error('not here')) },
      claims,
      cloud,
      () => ZERO,
    );
    await launcher.cancel(['joined', 'launching']);
    // The joined one waits for the NodeClaim termination flow (its finalizer): drained first.
    expect(claims.get('joined')?.metadata.deletionTimestamp).toBeDefined();
    expect(deleted).toEqual(['i-launching']);
    expect(claims.get('launching')).toBeUndefined();
  });
});
