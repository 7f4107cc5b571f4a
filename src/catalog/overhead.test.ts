import { describe, expect, it } from 'vitest';
import { builtinCatalog } from './catalog.js';
import { LABEL } from './instance-type.js';
import { allocatableCpuMillis, allocatableMemoryMiB, eniMaxPods, reservedCpuMillis } from './overhead.js';

describe('the EKS overhead model', () => {
  it.each([
    [1, 60],
    [2, 70],
    [4, 80],
    [8, 90],
    [96, 310],
  ])('reserves CPU for %i vCPU: %i m', (vcpu, millis) => {
    expect(reservedCpuMillis(vcpu)).toBe(millis);
  });

  it('gives m5.xlarge the README check values', () => {
    const pods = eniMaxPods(4, 15);
    expect(pods).toBe(58);
    expect(allocatableCpuMillis(4)).toBe(3920);
    expect(allocatableMemoryMiB(16384, 'amd64', pods)).toBe(14162);
  });

  it('reproduces the allocatable of every type in the shared data (the built-in catalog)', () => {
    const types = builtinCatalog().types;
    expect(types.length).toBeGreaterThan(1300);
    const wrong = types.filter(
      (t) =>
        allocatableCpuMillis(t.capacity.cpuMillis / 1000) !== Math.floor(t.allocatable.cpuMillis) ||
        allocatableMemoryMiB(t.capacity.memoryMiB, t.labels[LABEL.arch] ?? '', t.allocatable.pods) !==
          t.allocatable.memoryMiB,
    );
    expect(wrong.map((t) => t.name)).toEqual([]);
  });
});
