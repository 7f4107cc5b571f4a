import { describe, expect, it } from 'vitest';
import { inZones, builtinCatalog } from './catalog.js';
import { LABEL } from './instance-type.js';

describe('built-in catalog', () => {
  const catalog = builtinCatalog();

  it('holds every instance type of the shared data', () => {
    expect(catalog.types.length).toBe(1363);
    expect(catalog.types.filter((t) => t.onDemandPrice !== null).length).toBe(1345);
  });

  it('matches the check values of the data README', () => {
    const t = catalog.byName('m5.xlarge');
    expect(t?.allocatable).toEqual({
      cpuMillis: 3920,
      memoryMiB: 14162,
      pods: 58,
      ephemeralMiB: 17 * 1024,
      nvidiaGpu: 0,
      amdGpu: 0,
      neuron: 0,
      neuronCore: 0,
    });
    expect(t?.onDemandPrice).toBe(0.192);
    expect(t?.labels[LABEL.category]).toBe('m');
    expect(t?.labels[LABEL.generation]).toBe('5');
    expect(t?.labels[LABEL.arch]).toBe('amd64');
  });

  it('labels GPU types', () => {
    const g = catalog.types.find((t) => t.name.startsWith('g5.'));
    expect(g?.labels[LABEL.gpuManufacturer]).toBe('nvidia');
    expect(Number(g?.labels[LABEL.gpuCount])).toBeGreaterThan(0);
  });

  it('models spot at 0.30–0.70 × on-demand, deterministically per zone', () => {
    const t = catalog.byName('m5.xlarge')!;
    for (const z of catalog.zones) {
      const p = catalog.price(t, z, 'spot')!;
      expect(p).toBeGreaterThanOrEqual(0.3 * 0.192);
      expect(p).toBeLessThanOrEqual(0.7 * 0.192);
      expect(catalog.price(t, z, 'spot')).toBe(p);
    }
    expect(catalog.price(t, 'us-east-1a', 'on-demand')).toBe(0.192);
  });
});

describe('a catalog in the zones of the classes’ subnets', () => {
  it('offers the same types in those zones, the same object for the same set, itself for none', () => {
    const c = builtinCatalog();
    const d = inZones(c, ['us-east-1d', 'us-east-1a']);
    expect(d.zones).toEqual(['us-east-1a', 'us-east-1d']);
    expect(d.origin?.zones).toEqual(['us-east-1a', 'us-east-1d']);
    expect(d.types.length).toBe(c.types.length);
    const m5 = d.byName('m5.large')!;
    expect(d.price(m5, 'us-east-1d', 'on-demand')).toBe(
      c.price(c.byName('m5.large')!, 'us-east-1a', 'on-demand'),
    );
    expect(inZones(c, ['us-east-1a', 'us-east-1d'])).toBe(d);
    expect(inZones(c, [])).toBe(c);
    expect(inZones(c, [...c.zones])).toBe(c);
  });
});
