import { describe, expect, it } from 'vitest';
import {
  nodeClassHash,
  NODECLASS_HASH_LABEL,
  poolView,
  poolViewWithClass,
  TEMPLATE_HASH_LABEL,
  templateHash,
  type EC2NodeClass,
  type NodePool,
} from './nodepool.js';

const pool = (): NodePool => ({
  metadata: { name: 'general' },
  spec: {
    template: {
      metadata: { labels: { team: 'a' } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }],
        taints: [],
        expireAfter: '720h',
      },
    },
  },
});

describe("a NodePool's template hash (static drift)", () => {
  const base = templateHash(pool());
  it.each([
    ['a template label', (p: NodePool) => (p.spec.template.metadata = { labels: { team: 'b' } }), true],
    ['a taint', (p: NodePool) => (p.spec.template.spec.taints = [{ key: 'x', effect: 'NoSchedule' }]), true],
    ['the NodeClass', (p: NodePool) => (p.spec.template.spec.nodeClassRef = { name: 'other' }), true],
    [
      'a requirement (compared one by one instead)',
      (p: NodePool) => (p.spec.template.spec.requirements = []),
      false,
    ],
    [
      'expireAfter (behaviour, not the node)',
      (p: NodePool) => (p.spec.template.spec.expireAfter = '24h'),
      false,
    ],
    ['the weight', (p: NodePool) => (p.spec.weight = 50), false],
  ])('changes with %s: %s', (_what, edit, changes) => {
    const p = pool();
    edit(p);
    expect(templateHash(p) !== base).toBe(changes);
  });

  it('is a label every node of the pool is launched with, and a requirement its nodes must meet', () => {
    const view = poolView(pool());
    const node = { ...view.labels, 'kubernetes.io/arch': 'amd64', 'kubernetes.io/os': 'linux' };
    expect(view.labels[TEMPLATE_HASH_LABEL]).toBe(base);
    expect(view.requirements.matchesLabels({ ...node, 'karpenter.sh/capacity-type': 'on-demand' })).toBe(
      true,
    );
    expect(
      view.requirements.matchesLabels({
        ...node,
        'karpenter.sh/capacity-type': 'on-demand',
        [TEMPLATE_HASH_LABEL]: 'older',
      }),
    ).toBe(false);
  });
});

describe("an EC2NodeClass's hash (static NodeClass drift)", () => {
  const cls = (spec: Record<string, unknown>): EC2NodeClass => ({ metadata: { name: 'default' }, spec });
  const base = {
    role: 'KarpenterNodeRole-x',
    amiSelectorTerms: [{ alias: 'al2023@latest' }],
    subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'x' } }],
    metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
  };
  it.each([
    ['user data', { userData: 'echo hi' }, true],
    ['the role', { role: 'Other' }, true],
    ['metadata options', { metadataOptions: { httpTokens: 'optional' } }, true],
    ['the AMI selector (its resolved ids drift instead)', { amiSelectorTerms: [{ id: 'ami-1' }] }, false],
    ['the subnet selector', { subnetSelectorTerms: [{ id: 'subnet-1' }] }, false],
  ])('changes with %s', (_what, edit, changes) => {
    expect(nodeClassHash(cls({ ...base, ...edit })) !== nodeClassHash(cls(base))).toBe(changes);
  });

  it('does not depend on the order keys were written in', () => {
    expect(nodeClassHash(cls({ b: 1, a: { y: 2, x: 1 } }))).toBe(
      nodeClassHash(cls({ a: { x: 1, y: 2 }, b: 1 })),
    );
  });

  it("is a label and a requirement of the pool's nodes only when the class is known", () => {
    const known = poolViewWithClass(pool(), cls(base));
    expect(known.labels[NODECLASS_HASH_LABEL]).toBe(nodeClassHash(cls(base)));
    expect(known.requirements.get(NODECLASS_HASH_LABEL)).toBeDefined();
    // Offline, without the class, a node's class hash is not judged.
    expect(poolView(pool()).labels[NODECLASS_HASH_LABEL]).toBeUndefined();
    expect(poolView(pool()).requirements.get(NODECLASS_HASH_LABEL)).toBeUndefined();
  });
});
