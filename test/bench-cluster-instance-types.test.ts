import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../src/catalog/catalog.js';
import { berthPerfPool } from './support/perf-workloads.js';
import type { NodePool } from '../src/scheduling/nodepool.js';
import { KWOK_OVERHEAD, kwokInstanceTypes } from '../bench/cluster/instance-types.js';

const catalog = builtinCatalog();
const types = kwokInstanceTypes(catalog, berthPerfPool() as NodePool);

describe("Karpenter's kwok instance types from Berth's catalog", () => {
  it('holds exactly the types of fewer than 32 vCPUs the pool allows, linux, both architectures', () => {
    const expected = catalog.types
      .filter((t) => t.onDemandPrice !== null && Number(t.labels['karpenter.k8s.aws/instance-cpu']) < 32)
      .map((t) => t.name)
      .sort();
    expect(types.map((t) => t.name).sort()).toEqual(expected);
    expect(new Set(types.map((t) => t.architecture))).toEqual(new Set(['amd64', 'arm64']));
    expect(types.every((t) => t.operatingSystems.join() === 'linux')).toBe(true);
  });

  it("gives Karpenter's nodes Berth's allocatable once the provider takes its 100m / 10Mi", () => {
    const m5 = types.find((t) => t.name === 'm5.large');
    const berth = catalog.byName('m5.large');
    expect(m5 && berth).toBeTruthy();
    if (!m5 || !berth) return;
    expect(m5.resources.cpu).toBe(`${berth.allocatable.cpuMillis + KWOK_OVERHEAD.cpuMillis}m`);
    expect(m5.resources.memory).toBe(`${berth.allocatable.memoryMiB + KWOK_OVERHEAD.memoryMiB}Mi`);
    expect(m5.resources.pods).toBe(String(berth.allocatable.pods));
  });

  it("prices every zone's on-demand and spot offering as Berth does", () => {
    const m5 = types.find((t) => t.name === 'm5.large');
    const berth = catalog.byName('m5.large');
    if (!m5 || !berth) throw new Error('m5.large missing');
    expect(m5.offerings).toHaveLength(catalog.zones.length * 2);
    for (const o of m5.offerings) {
      const [ct, zone] = o.Requirements.map((r) => r.values[0] ?? '');
      expect(o.Price).toBe(catalog.price(berth, zone ?? '', ct ?? ''));
    }
  });
});
