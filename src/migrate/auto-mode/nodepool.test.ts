import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import type { NodePool } from '../../scheduling/nodepool.js';
import type { NodeSelectorRequirement } from '../../scheduling/requirements.js';
import { autoModeRefuses } from '../../scheduling/auto-mode.js';
import { autoNodePool, autoRequirement } from './nodepool.js';

const catalog = builtinCatalog();
const pool = (
  spec: Partial<NodePool['spec']['template']['spec']>,
  more: Partial<NodePool['spec']> = {},
): NodePool => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'general' },
  spec: {
    template: {
      metadata: { labels: { team: 'shop' } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [
          { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['c', 'm', 'r'] },
        ],
        expireAfter: '336h',
        ...spec,
      },
    },
    limits: { cpu: '1000' },
    disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m' },
    ...more,
  },
});
const req = (key: string, operator: NodeSelectorRequirement['operator'], values?: string[]) => ({
  key,
  operator,
  ...(values ? { values } : {}),
});

describe('a requirement in Auto Mode vocabulary', () => {
  it.each([
    [
      req('karpenter.k8s.aws/instance-family', 'In', ['m5']),
      { req: req('eks.amazonaws.com/instance-family', 'In', ['m5']) },
    ],
    [
      req('karpenter.k8s.aws/instance-generation', 'Gt', ['5']),
      { req: req('eks.amazonaws.com/instance-generation', 'Gt', ['5']) },
    ],
    [
      { ...req('karpenter.k8s.aws/instance-category', 'In', ['c', 'm']), minValues: 2 },
      { req: { ...req('eks.amazonaws.com/instance-category', 'In', ['c', 'm']), minValues: 2 } },
    ],
    [req('karpenter.k8s.aws/instance-accelerator-count', 'Exists'), { drop: 'label' }],
    [req('karpenter.k8s.aws/instance-capability-flex', 'In', ['true']), { drop: 'label' }],
    [req('kubernetes.io/os', 'In', ['linux']), { drop: 'os' }],
    [
      req('node.kubernetes.io/instance-type', 'In', ['m5.large']),
      { req: req('node.kubernetes.io/instance-type', 'In', ['m5.large']) },
    ],
    [
      req('karpenter.sh/capacity-type', 'In', ['spot']),
      { req: req('karpenter.sh/capacity-type', 'In', ['spot']) },
    ],
    [req('team', 'In', ['shop']), { req: req('team', 'In', ['shop']) }],
  ])('%j → %j', (r, want) => {
    expect(autoRequirement(r)).toEqual(want);
  });
});

describe('a Karpenter NodePool as an Auto Mode NodePool', () => {
  it('keeps labels, limits and disruption, points at the migrated NodeClass and adds the migration taint once', () => {
    const { nodePool, findings } = autoNodePool(
      pool({ taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }] }),
      catalog,
    );
    expect(nodePool.metadata).toEqual({
      name: 'general-auto',
      annotations: { 'berth.dev/migrated-from': 'NodePool/general' },
    });
    expect(nodePool.spec.limits).toEqual({ cpu: '1000' });
    expect(nodePool.spec.disruption).toEqual({
      consolidationPolicy: 'WhenEmptyOrUnderutilized',
      consolidateAfter: '1m',
    });
    expect(nodePool.spec.template.metadata).toEqual({ labels: { team: 'shop' } });
    expect(nodePool.spec.template.spec.nodeClassRef).toEqual({
      group: 'eks.amazonaws.com',
      kind: 'NodeClass',
      name: 'default-auto',
    });
    expect(nodePool.spec.template.spec.requirements).toEqual([
      req('eks.amazonaws.com/instance-category', 'In', ['c', 'm', 'r']),
    ]);
    expect(nodePool.spec.template.spec.taints).toEqual([
      { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
      { key: 'eks-auto-mode', effect: 'NoSchedule' },
    ]);
    expect(nodePool.spec.template.spec.expireAfter).toBe('336h');
    expect(findings.filter((f) => f.severity === 'decide')).toEqual([]);
    const again = autoNodePool(nodePool, catalog).nodePool.spec.template.spec.taints ?? [];
    expect(again.filter((t) => t.key === 'eks-auto-mode')).toHaveLength(1);
  });

  it.each([
    [undefined, undefined, "note: nodes live 336h (Auto Mode's default) instead of Karpenter's 720h"],
    ['720h', '504h', "decide: 720h is past Auto Mode's longest node lifetime: set to 504h"],
    ['Never', '504h', "decide: Never is past Auto Mode's longest node lifetime: set to 504h"],
    ['504h', '504h', undefined],
  ])('expireAfter %s becomes %s', (given, want, finding) => {
    const p = pool(given === undefined ? {} : { expireAfter: given });
    if (given === undefined) delete p.spec.template.spec.expireAfter;
    const { nodePool, findings } = autoNodePool(p, catalog);
    expect(nodePool.spec.template.spec.expireAfter).toBe(want);
    const said = findings
      .filter((f) => f.field === 'spec.template.spec.expireAfter')
      .map((f) => `${f.severity}: ${f.what}`);
    expect(said).toEqual(finding === undefined ? [] : [finding]);
  });

  it('says when Auto Mode offers none of the types the pool allows', () => {
    const { findings } = autoNodePool(
      pool({ requirements: [req('node.kubernetes.io/instance-type', 'In', ['t3.micro', 't3.small'])] }),
      catalog,
    );
    expect(findings.map((f) => `${f.severity}: ${f.what}`)).toContain(
      'decide: Auto Mode offers none of the types this pool allows (t3.micro, t3.small: Auto Mode launches no micro instance)',
    );
  });

  it('counts the types it allows that Auto Mode does not offer', () => {
    const { findings } = autoNodePool(
      pool({ requirements: [req('karpenter.k8s.aws/instance-family', 'In', ['m5', 'm3'])] }),
      catalog,
    );
    const f = findings.find((x) => x.field === 'spec.template.spec.requirements');
    expect(f?.severity).toBe('note');
    expect(f?.what).toMatch(/^\d+ of the types it allows are not offered by Auto Mode \(m3\./);
  });

  it('refuses a Windows pool and gives a pool with no requirement left one that allows what it did', () => {
    const win = autoNodePool(pool({ requirements: [req('kubernetes.io/os', 'In', ['windows'])] }), catalog);
    expect(win.findings.map((f) => `${f.severity}: ${f.what}`)).toContain(
      'decide: Auto Mode runs Linux only',
    );
    expect(win.nodePool.spec.template.spec.requirements).toEqual([
      req('karpenter.sh/capacity-type', 'In', ['on-demand', 'spot']),
    ]);
  });

  it('drops a requirement on a label Auto Mode nodes do not carry, and says so', () => {
    const { nodePool, findings } = autoNodePool(
      pool({
        requirements: [
          req('karpenter.k8s.aws/instance-accelerator-count', 'DoesNotExist'),
          req('karpenter.k8s.aws/instance-family', 'In', ['m6i']),
        ],
      }),
      catalog,
    );
    expect(nodePool.spec.template.spec.requirements).toEqual([
      req('eks.amazonaws.com/instance-family', 'In', ['m6i']),
    ]);
    expect(findings[0]).toMatchObject({ severity: 'decide', field: 'spec.template.spec.requirements[0]' });
  });
});

describe('the instance types Auto Mode launches', () => {
  const t = (name: string) => catalog.byName(name) ?? { name, labels: {} };
  it.each([
    ['m5.large', undefined],
    ['c7g.xlarge', undefined],
    ['p5.48xlarge', undefined],
    ['t3.micro', 'Auto Mode launches no micro instance'],
    ['t4g.small', 'Auto Mode launches no small instance'],
    ['c7a.medium', 'Auto Mode launches nothing with a single vCPU'],
    ['c3.large', 'Auto Mode does not offer the c3 family'],
    ['a1.large', 'Auto Mode does not offer the a1 family'],
  ])('%s: %s', (name, want) => {
    expect(autoModeRefuses(t(name))).toBe(want);
  });
});
