import { describe, expect, it } from 'vitest';
import { poolView, TEMPLATE_HASH_LABEL, templateHash, type NodePool } from './nodepool.js';

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
