import { describe, expect, it } from 'vitest';
import { builtinCatalog } from './catalog.js';
import { shapedCatalog, shapedType } from './node-shape.js';
import { classShape } from '../scheduling/class-shape.js';

const catalog = builtinCatalog();
const m5 = catalog.byName('m5.xlarge');
if (!m5) throw new Error('m5.xlarge missing from the catalog');

describe('node shapes: what an EC2NodeClass does to its nodes (Karpenter instancetype/types.go)', () => {
  it('the default class (AL2023, 20Gi root) is the catalog itself', () => {
    expect(shapedCatalog(catalog, classShape({ amiSelectorTerms: [{ alias: 'al2023@latest' }] }))).toBe(
      catalog,
    );
  });

  it('recomputes the default figures when something else changes (the data README check values)', () => {
    const t = shapedType(
      m5,
      classShape({
        blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '20Gi' } }],
        amiFamily: 'Bottlerocket',
      }),
    );
    expect(t.allocatable).toMatchObject({
      cpuMillis: 3920,
      memoryMiB: 14162,
      pods: 58,
      ephemeralMiB: 17 * 1024,
    });
  });

  it.each([
    [
      'maxPods caps pods (memory still reserved for ENI pods on AL2023)',
      { kubelet: { maxPods: 20 } },
      { pods: 20, memoryMiB: 14162 },
    ],
    ['podsPerCore caps pods by vCPU', { kubelet: { podsPerCore: 2 } }, { pods: 8 }],
    [
      'systemReserved comes off allocatable',
      { kubelet: { systemReserved: { cpu: '100m', memory: '100Mi' } } },
      { cpuMillis: 3820, memoryMiB: 14062 },
    ],
    [
      'kubeReserved replaces the default',
      { kubelet: { kubeReserved: { cpu: '200m' } } },
      { cpuMillis: 3800 },
    ],
    [
      'evictionHard memory as a percentage',
      { kubelet: { evictionHard: { 'memory.available': '10%' } } },
      { memoryMiB: 14162 + 100 - 1516 },
    ],
    [
      'a 100Gi root volume',
      { blockDeviceMappings: [{ deviceName: '/dev/xvda', rootVolume: true, ebs: { volumeSize: '100Gi' } }] },
      { ephemeralMiB: 100 * 1024 - 1024 - 10 * 1024 },
    ],
  ])('%s', (_what, spec, want) => {
    expect(shapedType(m5, classShape(spec)).allocatable).toMatchObject(want);
  });

  it('RAID0 makes the instance store ephemeral storage (GB, as EC2 reports it)', () => {
    const m5d = catalog.byName('m5d.xlarge');
    if (!m5d) throw new Error('m5d.xlarge missing');
    const t = shapedType(m5d, classShape({ instanceStorePolicy: 'RAID0' }));
    expect(t.capacity.ephemeralMiB).toBeCloseTo(150e9 / 2 ** 20, 3);
    // A type without instance store keeps the root volume.
    expect(shapedType(m5, classShape({ instanceStorePolicy: 'RAID0' })).capacity.ephemeralMiB).toBe(
      20 * 1024,
    );
  });
});
