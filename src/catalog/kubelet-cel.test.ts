import { describe, expect, it } from 'vitest';
import { builtinCatalog } from './catalog.js';
import {
  evaluateExpression,
  expressionProblem,
  formatResourceResult,
  kubeletExpressionProblem,
} from './kubelet-cel.js';
import { celVars, shapedType } from './node-shape.js';
import { classShape } from '../scheduling/class-shape.js';

const m5 = builtinCatalog().byName('m5.large');
if (!m5) throw new Error('m5.large is in the catalog');
const vars = celVars(m5, 29);

// aws/karpenter-provider-aws v1.15.2 pkg/cel/environment.go: its variables and max/min, int or double
// results (a double truncated), formatResourceResult's units and rounding.
describe('kubelet expressions (NodeClassCEL)', () => {
  it("takes the type's facts: 2 vCPUs, 8 GiB, 3 ENIs of 10 addresses, 29 pods", () => {
    expect(vars).toEqual({
      vcpus: 2,
      memoryMiB: 8192,
      defaultEnis: 3,
      ipsPerEni: 10,
      maxPods: 29,
      instanceType: 'm5.large',
    });
  });

  it.each([
    ['default_enis * (ips_per_eni - 1) + 2', 29],
    ['max(60, vcpus * 30)', 60],
    ['min(vcpus * 100, 150)', 150],
    ['memory_mib / 100', 81],
    ['memory_mib * 0.015', undefined],
    ['double(memory_mib) * 0.015', 122],
    ['instance_type.startsWith("m5") ? 58 : max_pods', 58],
  ])('%s → %s', (expression, want) => {
    const r = evaluateExpression(expression, vars);
    expect(r.ok ? r.value : undefined).toBe(want);
  });

  it('refuses what does not compile or returns no number', () => {
    expect(expressionProblem('vcpus +')).toMatch(/^compiling expression, .* \(expression=vcpus \+\)$/);
    expect(expressionProblem('instance_type')).toBe(
      'expression must return int or double (expression=instance_type, output-type=string)',
    );
    expect(kubeletExpressionProblem({ kubeReserved: { cpu: '200m', memory: 'memory_mib +' } })).toMatch(
      /^validating expression, compiling expression, .* \(field=spec\.kubelet\.kubeReserved\[memory\]\)$/,
    );
    expect(
      kubeletExpressionProblem({ maxPods: 'vcpus * 10', kubeReserved: { cpu: '200m' } }),
    ).toBeUndefined();
  });

  it.each([
    ['cpu', 61, '70m'],
    ['cpu', 60, '60m'],
    ['memory', 81, '96Mi'],
    ['ephemeral-storage', 3, '3Gi'],
    ['pid', 1001, '1001'],
  ])('%s %i is %s', (key, result, quantity) => {
    expect(formatResourceResult(key, result)).toBe(quantity);
  });

  it('shapes each instance type with its own values: max pods and reservations per type', () => {
    const shape = classShape({
      amiSelectorTerms: [{ alias: 'al2023@latest' }],
      kubelet: {
        maxPods: 'vcpus * 8',
        kubeReserved: { cpu: 'max(60, vcpus * 30)', memory: 'memory_mib / 100' },
      },
    });
    const small = shapedType(m5, shape);
    const big = builtinCatalog().byName('m5.4xlarge');
    if (!big) throw new Error('m5.4xlarge is in the catalog');
    expect(small.capacity.pods).toBe(16);
    expect(shapedType(big, shape).capacity.pods).toBe(128);
    // 60m reserved on m5.large (2 × 30 below the floor), 480m on m5.4xlarge: the allocatable shows it.
    const plain = shapedType(
      m5,
      classShape({
        amiSelectorTerms: [{ alias: 'al2023@latest' }],
        kubelet: { kubeReserved: { cpu: '60m', memory: '96Mi' } },
      }),
    );
    expect(small.allocatable.cpuMillis).toBe(plain.allocatable.cpuMillis);
    expect(small.allocatable.memoryMiB).toBe(plain.allocatable.memoryMiB);
  });
});
