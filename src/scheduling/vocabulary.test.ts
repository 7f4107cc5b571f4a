import { NO_REQUESTS } from '../kube/resources.js';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../catalog/catalog.js';
import { fitPools } from './placement.js';
import { poolView, type NodePool } from './nodepool.js';
import { Requirements } from './requirements.js';
import { inCatalogTerms, labelRole } from './vocabulary.js';

const catalog = builtinCatalog();
const REQ = { ...NO_REQUESTS, cpuMillis: 100, memoryMiB: 128 };

function pool(name: string, group: string): NodePool {
  return {
    metadata: { name },
    spec: {
      template: {
        spec: {
          nodeClassRef: {
            group,
            kind: group === 'eks.amazonaws.com' ? 'NodeClass' : 'EC2NodeClass',
            name: 'x',
          },
          requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand', 'spot'] },
          ],
        },
      },
    },
  };
}
const AUTO = poolView(pool('auto', 'eks.amazonaws.com'));
const KARPENTER = poolView(pool('karpenter', 'karpenter.k8s.aws'));

/** A value each instance label takes on some GPU type (so every label has one), by label name. */
const gpuType = catalog.types.find((t) => t.labels['karpenter.k8s.aws/instance-gpu-count'] === '1');
const nvmeType = catalog.types.find((t) => t.labels['karpenter.k8s.aws/instance-local-nvme'] !== undefined);
const FAMILIES = [
  'instance-category',
  'instance-family',
  'instance-generation',
  'instance-size',
  'instance-cpu',
  'instance-cpu-manufacturer',
  'instance-memory',
  'instance-hypervisor',
  'instance-network-bandwidth',
  'instance-local-nvme',
  'instance-gpu-name',
  'instance-gpu-manufacturer',
  'instance-gpu-count',
  'instance-gpu-memory',
];

function distance(selector: Record<string, string>, view = AUTO): number {
  const spec = { containers: [], nodeSelector: selector };
  return fitPools(spec, REQ, [view], catalog)[0]?.distance ?? -1;
}

describe('instance labels in each vocabulary', () => {
  it.each(FAMILIES)(
    '%s: eks.amazonaws.com/ on Auto Mode pools, karpenter.k8s.aws/ on Karpenter pools',
    (name) => {
      const type = name === 'instance-local-nvme' ? nvmeType : gpuType;
      const value = type?.labels[`karpenter.k8s.aws/${name}`];
      expect(value, `the catalog has a value for ${name}`).toBeDefined();
      if (value === undefined) return;
      const eks = { [`eks.amazonaws.com/${name}`]: value };
      const karpenter = { [`karpenter.k8s.aws/${name}`]: value };
      // Found (0) or at most too small for the pod (1): never a requirement conflict (4+).
      expect(distance(eks, AUTO)).toBeLessThan(2);
      expect(distance(karpenter, KARPENTER)).toBeLessThan(2);
      expect(distance(karpenter, AUTO)).toBeGreaterThanOrEqual(4);
      expect(distance(eks, KARPENTER)).toBeGreaterThanOrEqual(4);
    },
  );

  it('narrows Auto Mode requirements through the catalog: eks instance-family m5 offers only m5 types', () => {
    const fits = fitPools(
      { containers: [], nodeSelector: { 'eks.amazonaws.com/instance-family': 'm5' } },
      REQ,
      [AUTO],
      catalog,
    );
    const names = fits[0]?.types.map((t) => t.name) ?? [];
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('m5.'))).toBe(true);
  });

  it('labels real nodes carry but the catalog does not model are neither narrowed nor denied', () => {
    for (const view of [AUTO, KARPENTER]) {
      const prefix = view.autoMode ? 'eks.amazonaws.com' : 'karpenter.k8s.aws';
      expect(distance({ [`${prefix}/instance-encryption-in-transit-supported`]: 'true' }, view)).toBe(0);
      expect(distance({ [`${prefix}/instance-ebs-bandwidth`]: '10000' }, view)).toBe(0);
    }
  });

  it('eks.amazonaws.com/compute-type: auto and the NodeClass name are labels of Auto Mode pools only', () => {
    expect(distance({ 'eks.amazonaws.com/compute-type': 'auto' }, AUTO)).toBe(0);
    expect(distance({ 'eks.amazonaws.com/nodeclass': 'x' }, AUTO)).toBe(0);
    expect(distance({ 'eks.amazonaws.com/compute-type': 'auto' }, KARPENTER)).toBeGreaterThanOrEqual(4);
  });

  it('Auto Mode pools are Linux only, whatever they say', () => {
    const windows = pool('w', 'eks.amazonaws.com');
    windows.spec.template.spec.requirements = [
      { key: 'kubernetes.io/os', operator: 'In', values: ['windows'] },
    ];
    expect(distance({}, poolView(windows))).toBeGreaterThanOrEqual(2);
  });
});

describe('labelRole and inCatalogTerms', () => {
  it.each([
    ['eks.amazonaws.com/instance-family', 'auto', 'instance'],
    ['eks.amazonaws.com/instance-family', 'karpenter', 'foreign'],
    ['karpenter.k8s.aws/instance-family', 'karpenter', 'instance'],
    ['karpenter.k8s.aws/instance-family', 'auto', 'foreign'],
    ['eks.amazonaws.com/compute-type', 'auto', 'pool'],
    ['kubernetes.io/arch', 'auto', 'instance'],
    ['topology.kubernetes.io/zone', 'karpenter', 'instance'],
    ['eks.amazonaws.com/instance-made-up', 'auto', 'pool'],
    ['team', 'karpenter', 'pool'],
  ] as const)('%s on a %s pool is %s', (key, vocabulary, kind) => {
    expect(labelRole(key, vocabulary).kind).toBe(kind);
  });

  it('names the twin to use instead of a foreign label', () => {
    expect(labelRole('karpenter.k8s.aws/instance-gpu-name', 'auto')).toEqual({
      kind: 'foreign',
      use: 'eks.amazonaws.com/instance-gpu-name',
    });
  });

  it('rewrites Auto Mode keys to the catalog, drops foreign and unmodelled ones, and keeps the object when nothing changes', () => {
    const reqs = Requirements.of([
      { key: 'eks.amazonaws.com/instance-family', operator: 'In', values: ['m5'] },
      { key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: ['metal'] },
      { key: 'eks.amazonaws.com/instance-ebs-bandwidth', operator: 'Gt', values: ['100'] },
      { key: 'team', operator: 'In', values: ['a'] },
    ]);
    expect([...inCatalogTerms(reqs, 'auto').keys()].sort()).toEqual([
      'karpenter.k8s.aws/instance-family',
      'team',
    ]);
    const plain = Requirements.of([
      { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m5'] },
    ]);
    expect(inCatalogTerms(plain, 'karpenter')).toBe(plain);
  });
});
