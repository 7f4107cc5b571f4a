import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../catalog/catalog.js';
import {
  adjustedPrice,
  byWeight,
  resolveOverlays,
  withOverlays,
  type NodeOverlay,
  type PoolOverlay,
} from './node-overlay.js';
import { overlayIssue } from './node-overlay-validation.js';
import { poolCatalog, poolView, type NodePool } from './nodepool.js';

const catalog = builtinCatalog();
const overlaid = (o: PoolOverlay | undefined) => poolCatalog(o ? { overlay: o } : {}, catalog);
const overlay = (name: string, spec: NodeOverlay['spec']): NodeOverlay => ({
  apiVersion: 'karpenter.sh/v1alpha1',
  kind: 'NodeOverlay',
  metadata: { name },
  spec,
});
const typeIs = (...values: string[]) => ({ key: 'node.kubernetes.io/instance-type', operator: 'In', values });
const ct = (...values: string[]) => ({ key: 'karpenter.sh/capacity-type', operator: 'In', values });
const pools = [
  { name: 'general', labels: {} },
  { name: 'gpu', labels: { team: 'ml' } },
];

// Karpenter v1.14.1 pkg/cloudprovider/types.go AdjustedPrice.
describe('adjustedPrice (cloudprovider.AdjustedPrice)', () => {
  it.each([
    [1, undefined, 1],
    [1, '0.25', 0.25],
    [1, '+0.5', 1.5],
    [1, '-0.4', 0.6],
    [1, '-2', 0],
    [2, '-60%', 0.8],
    [2, '+10%', 2.2],
    [2, '-100%', 0],
  ])('%s with %s is %s', (price, change, out) => {
    expect(adjustedPrice(price, change)).toBeCloseTo(out, 10);
  });
});

// NodeOverlayList.OrderByWeight: weight descending, equal weights by name descending; none is 0.
describe('byWeight (NodeOverlayList.OrderByWeight)', () => {
  it('orders by weight, then by name descending', () => {
    const list = [
      overlay('a', { weight: 10 }),
      overlay('b', {}),
      overlay('c', { weight: 10 }),
      overlay('d', { weight: 50 }),
    ];
    expect([...list].sort(byWeight).map((o) => o.metadata.name)).toEqual(['d', 'c', 'a', 'b']);
  });
});

// pkg/controllers/nodeoverlay/controller.go (validateAndUpdateInstanceTypeOverrides, getOverlaidOfferings)
// and store.go (the first overlay to set an offering keeps it; equal weights on one offering conflict).
describe('resolveOverlays (the NodeOverlay controller and its instance-type store)', () => {
  const price = (pool: string, type: string, zone: string, capacityType: string, overlays: NodeOverlay[]) => {
    const r = resolveOverlays(overlays, pools, catalog);
    const c = overlaid(r.byPool.get(pool));
    const t = c.byName(type);
    return t ? c.price(t, zone, capacityType) : null;
  };
  const listed = catalog.byName('m5.large')?.onDemandPrice ?? 0;

  it('the higher weight sets the price; the lower one applies where the higher does not reach', () => {
    const overlays = [
      overlay('low', { weight: 1, requirements: [typeIs('m5.large')], price: '0.01' }),
      overlay('high', { weight: 9, requirements: [typeIs('m5.large'), ct('spot')], price: '0.02' }),
    ];
    expect(price('general', 'm5.large', 'us-east-1a', 'spot', overlays)).toBe(0.02);
    expect(price('general', 'm5.large', 'us-east-1a', 'on-demand', overlays)).toBe(0.01);
    expect(price('general', 'm5.xlarge', 'us-east-1a', 'on-demand', overlays)).toBe(
      catalog.byName('m5.xlarge')?.onDemandPrice,
    );
  });

  it('equal weights on one offering conflict: the one sorted later is applied nowhere', () => {
    const r = resolveOverlays(
      [
        overlay('a', { weight: 5, requirements: [typeIs('m5.large')], price: '0.01' }),
        overlay('b', { weight: 5, requirements: [typeIs('m5.large', 'm5.xlarge')], price: '0.02' }),
      ],
      pools,
      catalog,
    );
    expect(r.applied).toEqual(['b']);
    expect(r.rejected.get('a')).toEqual({ reason: 'Conflict', message: 'conflict with another overlay' });
  });

  it('equal weights on disjoint offerings (spot and on-demand) do not conflict', () => {
    const overlays = [
      overlay('a', { weight: 5, requirements: [typeIs('m5.large'), ct('spot')], priceAdjustment: '-10%' }),
      overlay('b', {
        weight: 5,
        requirements: [typeIs('m5.large'), ct('on-demand')],
        priceAdjustment: '-20%',
      }),
    ];
    expect(resolveOverlays(overlays, pools, catalog).rejected.size).toBe(0);
    expect(price('general', 'm5.large', 'us-east-1a', 'on-demand', overlays)).toBeCloseTo(listed * 0.8, 10);
  });

  it('matches the pool by karpenter.sh/nodepool and by its template labels', () => {
    const byPool = [
      overlay('p', {
        requirements: [{ key: 'karpenter.sh/nodepool', operator: 'In', values: ['gpu'] }],
        price: '0.5',
      }),
    ];
    expect(price('gpu', 'm5.large', 'us-east-1a', 'on-demand', byPool)).toBe(0.5);
    expect(price('general', 'm5.large', 'us-east-1a', 'on-demand', byPool)).toBe(listed);
    const byLabel = [
      overlay('l', { requirements: [{ key: 'team', operator: 'In', values: ['ml'] }], price: '0.5' }),
    ];
    expect(price('gpu', 'm5.large', 'us-east-1a', 'on-demand', byLabel)).toBe(0.5);
    // A key neither the type nor the pool has fails In (Requirements.Compatible) and passes NotIn.
    const absent = [
      overlay('n', { requirements: [{ key: 'team', operator: 'NotIn', values: ['ml'] }], price: '0.5' }),
    ];
    expect(price('general', 'm5.large', 'us-east-1a', 'on-demand', absent)).toBe(0.5);
    expect(price('gpu', 'm5.large', 'us-east-1a', 'on-demand', absent)).toBe(listed);
  });

  it('a zone requirement reaches zones the catalog did not list when resolved', () => {
    const overlays = [
      overlay('z', {
        requirements: [
          typeIs('m5.large'),
          { key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['us-east-1a'] },
        ],
        price: '0.03',
      }),
    ];
    expect(price('general', 'm5.large', 'us-east-1d', 'on-demand', overlays)).toBe(0.03);
    expect(price('general', 'm5.large', 'us-east-1a', 'on-demand', overlays)).toBe(listed);
  });

  it('capacity: the higher weight keeps a resource, a lower one adds others; equal weights on one resource conflict', () => {
    const gpuType = 'g4dn.xlarge';
    const r = resolveOverlays(
      [
        overlay('slices', {
          weight: 10,
          requirements: [typeIs(gpuType)],
          capacity: { 'nvidia.com/gpu': '4' },
        }),
        overlay('one', {
          weight: 1,
          requirements: [typeIs(gpuType)],
          capacity: { 'nvidia.com/gpu': '1', 'example.com/fpga': '2' },
        }),
      ],
      pools,
      catalog,
    );
    expect(r.rejected.size).toBe(0);
    expect(r.byPool.get('gpu')?.capacity.get(gpuType)).toEqual({
      'nvidia.com/gpu': '4',
      'example.com/fpga': '2',
    });
    const t = overlaid(r.byPool.get('gpu')).byName(gpuType);
    expect(t?.allocatable.nvidiaGpu).toBe(4);
    const tied = resolveOverlays(
      [
        overlay('x', { weight: 3, requirements: [typeIs(gpuType)], capacity: { 'nvidia.com/gpu': '4' } }),
        overlay('y', { weight: 3, requirements: [typeIs(gpuType)], capacity: { 'nvidia.com/gpu': '2' } }),
      ],
      pools,
      catalog,
    );
    expect(tied.applied).toEqual(['y']);
    expect(tied.rejected.get('x')?.reason).toBe('Conflict');
  });

  it('an overlay its runtime validation refuses is not applied', () => {
    const r = resolveOverlays([overlay('cpu', { capacity: { cpu: '4' } })], pools, catalog);
    expect(r.rejected.get('cpu')).toEqual({
      reason: 'RuntimeValidation',
      message: 'invalid resource restricted',
    });
  });

  it('withOverlays hands each pool its overlay (and none without overlays)', () => {
    const pool: NodePool = { metadata: { name: 'general' }, spec: { template: { spec: {} } } };
    expect(withOverlays([poolView(pool)], [], catalog).views[0]?.overlay).toBeUndefined();
    const r = withOverlays([poolView(pool)], [overlay('p', { price: '1' })], catalog);
    expect(r.views[0]?.overlay?.prices.size).toBeGreaterThan(100);
  });
});

// pkg/apis/crds/karpenter.sh_nodeoverlays.yaml (patterns and CEL) and v1alpha1 RuntimeValidate.
describe('overlayIssue (the NodeOverlay CRD)', () => {
  it.each([
    [{ price: '0.25' }, undefined],
    [{ priceAdjustment: '-100%' }, undefined],
    [{ priceAdjustment: '+5.5%' }, undefined],
    [{ priceAdjustment: '-0.05' }, undefined],
    [{ price: '0.1', priceAdjustment: '-1%' }, "cannot set both 'price' and 'priceAdjustment'"],
    [{ price: '-1' }, 'should match'],
    [{ priceAdjustment: '-150%' }, 'at most -100%'],
    [{ priceAdjustment: '10%' }, 'signed amount or percentage'],
    [{ capacity: { memory: '1Gi' } }, 'invalid resource restricted'],
    [{ weight: 0 }, 'from 1 to 10000'],
    [
      { requirements: [{ key: 'karpenter.sh/foo', operator: 'Exists' }] },
      'label domain "karpenter.sh" is restricted',
    ],
    [
      { requirements: [{ key: 'kubernetes.io/hostname', operator: 'Exists' }] },
      'label "kubernetes.io/hostname" is restricted',
    ],
    [
      { requirements: [{ key: 'team', operator: 'NotIn', values: [] }] },
      "operator 'NotIn' must have a value defined",
    ],
    [
      { requirements: [{ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gte', values: ['x'] }] },
      'single positive integer',
    ],
  ])('%j → %s', (spec, message) => {
    const issue = overlayIssue({ spec });
    if (message === undefined) expect(issue).toBeUndefined();
    else expect(issue?.message).toContain(message);
  });
});
