import { NO_REQUESTS } from '../kube/resources.js';
import type { V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../catalog/catalog.js';
import { poolView, type NodePool } from './nodepool.js';
import { fitPools } from './placement.js';
import { placementKey, podPlacement } from './pod-placement.js';
import { podRequirementTerms } from './pod-requirements.js';
import { legacyLabels } from './well-known.js';

const catalog = builtinCatalog();
const pool = (name: string, taints: NodePool['spec']['template']['spec']['taints'] = []): NodePool => ({
  metadata: { name },
  spec: {
    template: {
      metadata: { labels: { 'berth.dev/runtime-class': name } },
      spec: {
        requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }],
        taints,
      },
    },
  },
});
const pools = [pool('general'), pool('gpu', [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }])].map(poolView);
const req = { ...NO_REQUESTS, cpuMillis: 500, memoryMiB: 768 };
const spec = (extra: Partial<V1PodSpec> = {}): V1PodSpec => ({
  containers: [{ name: 'app', image: 'app:1' }],
  nodeSelector: { 'berth.dev/runtime-class': 'general' },
  ...extra,
});

describe('pod placement memo', () => {
  it('answers what fitPools answers', () => {
    for (const s of [spec(), spec({ nodeSelector: { 'berth.dev/runtime-class': 'gpu' } })]) {
      const memoized = podPlacement(s, req, pools, catalog);
      const direct = fitPools(s, req, pools, catalog);
      expect(memoized.terms).toEqual(podRequirementTerms(s));
      expect(memoized.fits().map((f) => [f.pool.name, f.distance, f.fitting.length])).toEqual(
        direct.map((f) => [f.pool.name, f.distance, f.fitting.length]),
      );
    }
  });

  it('shares one placement between specs that differ only in fields placement does not read', () => {
    const a = podPlacement(spec({ serviceAccountName: 'a' }), req, pools, catalog);
    const b = podPlacement(spec({ serviceAccountName: 'b', containers: [] }), req, pools, catalog);
    expect(b).toBe(a);
    expect(b.fits()).toBe(a.fits());
  });

  it.each<[string, V1PodSpec, typeof req]>([
    ['another node selector', spec({ nodeSelector: { 'berth.dev/runtime-class': 'gpu' } }), req],
    ['a toleration', spec({ tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] }), req],
    [
      'a required node affinity',
      spec({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }],
                },
              ],
            },
          },
        },
      }),
      req,
    ],
    ['other requests', spec(), { ...req, memoryMiB: 1024 }],
  ])('keys apart %s', (_, s, r) => {
    expect(placementKey(s, r)).not.toBe(placementKey(spec(), req));
    expect(podPlacement(s, r, pools, catalog)).not.toBe(podPlacement(spec(), req, pools, catalog));
  });

  it('does not reuse a placement for a changed NodePool list (a new view)', () => {
    const changed = [poolView(pool('general', [{ key: 'maintenance', effect: 'NoSchedule' }]))];
    const before = podPlacement(spec(), req, pools, catalog).fits();
    const after = podPlacement(spec(), req, changed, catalog).fits();
    expect(before[0]?.distance).toBe(0);
    expect(after[0]?.distance).toBe(3);
  });

  it('keeps the tolerations it was computed with, not the spec object it came from', () => {
    const s = spec({
      nodeSelector: { 'berth.dev/runtime-class': 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
    });
    const placement = podPlacement(s, req, pools, catalog);
    s.tolerations = [];
    const gpu = placement.fits().find((f) => f.pool.name === 'gpu');
    expect(gpu?.distance).toBe(0);
    const untolerated = podPlacement(s, req, pools, catalog).fits();
    expect(untolerated.find((f) => f.pool.name === 'gpu')?.distance).toBe(3);
  });
});

describe('pod placement memo, recent shapes', () => {
  it('gives every shape its own placement however many come in turn', () => {
    const shapes = Array.from({ length: 9 }, (_, i) => ({
      s: spec({
        nodeSelector: { 'berth.dev/runtime-class': i % 2 === 0 ? 'general' : 'gpu', shard: String(i) },
      }),
      r: { ...req, cpuMillis: 100 + i },
    }));
    const first = shapes.map(({ s, r }) => podPlacement(s, r, pools, catalog));
    expect(new Set(first).size).toBe(shapes.length);
    for (let round = 0; round < 3; round++)
      shapes.forEach(({ s, r }, i) => {
        // A fresh copy, as each review's spec is.
        expect(podPlacement(structuredClone(s), { ...r }, pools, catalog)).toBe(first[i]);
      });
  });

  it('does not answer for a spec changed in place after its lookup', () => {
    const s = spec({ nodeSelector: { 'berth.dev/runtime-class': 'general', edited: 'no' } });
    const before = podPlacement(s, req, pools, catalog);
    (s.nodeSelector ?? {}).edited = 'yes';
    const after = podPlacement(s, req, pools, catalog);
    expect(after).not.toBe(before);
    expect(
      podPlacement(
        spec({ nodeSelector: { 'berth.dev/runtime-class': 'general', edited: 'no' } }),
        req,
        pools,
        catalog,
      ),
    ).toBe(before);
  });

  it('tells apart a field missing and a field empty, as the key does', () => {
    const none = podPlacement(
      spec({ nodeSelector: { 'berth.dev/runtime-class': 'general' } }),
      req,
      pools,
      catalog,
    );
    const empty = podPlacement(spec({ tolerations: [] }), req, pools, catalog);
    expect(empty).not.toBe(none);
    expect(podPlacement(spec(), req, pools, catalog)).toBe(none);
  });
});

describe('legacy well-known labels', () => {
  it.each([
    ['beta.kubernetes.io/os', 'linux', 'kubernetes.io/os'],
    ['beta.kubernetes.io/arch', 'amd64', 'kubernetes.io/arch'],
    ['failure-domain.beta.kubernetes.io/zone', 'us-east-1a', 'topology.kubernetes.io/zone'],
    ['failure-domain.beta.kubernetes.io/region', 'us-east-1', 'topology.kubernetes.io/region'],
    ['beta.kubernetes.io/instance-type', 'm5.large', 'node.kubernetes.io/instance-type'],
  ])('reads %s as its current key, in a node selector and in required affinity', (legacy, value, current) => {
    const bySelector = podRequirementTerms({ containers: [], nodeSelector: { [legacy]: value } });
    expect([...(bySelector[0]?.keys() ?? [])]).toEqual([current]);
    const byAffinity = podRequirementTerms({
      containers: [],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: legacy, operator: 'In', values: [value] }] }],
          },
        },
      },
    });
    expect(byAffinity[0]?.matchesLabels({ [current]: value })).toBe(true);
    expect(byAffinity[0]?.matchesLabels({ [current]: 'other' })).toBe(false);
  });

  it('gives a node both keys, as the kubelet registers them', () => {
    expect(
      legacyLabels({ 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': 'us-east-1a' }),
    ).toEqual({
      'beta.kubernetes.io/os': 'linux',
      'failure-domain.beta.kubernetes.io/zone': 'us-east-1a',
    });
  });
});
