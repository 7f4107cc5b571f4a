import { describe, expect, it } from 'vitest';
import { nodePoolIssue } from './nodepool-validation.js';

const pool = (requirements: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'p' },
  spec: { ...extra, template: { spec: { requirements } } },
});
const req = (operator: string, values?: string[], minValues?: number) => ({
  key: 'karpenter.k8s.aws/instance-cpu',
  operator,
  ...(values ? { values } : {}),
  ...(minValues !== undefined ? { minValues } : {}),
});

// Karpenter v1.14.1 pkg/apis/crds/karpenter.sh_nodepools.yaml: the operator enum and the CEL rules on
// spec.template.spec.requirements and on spec (static NodePools).
describe('nodePoolIssue: what the NodePool CRD refuses', () => {
  it.each([
    [req('Gte', ['4']), undefined],
    [req('Lte', ['0']), undefined],
    [req('Gt', ['4']), undefined],
    [req('Exists'), undefined],
    [req('In', ['4', '8'], 2), undefined],
    [req('Gte', ['four']), 'must have a single positive integer value'],
    [req('Lte', ['-1']), 'must have a single positive integer value'],
    [req('Gt', ['1', '2']), 'must have a single positive integer value'],
    [req('Lt'), 'must have a single positive integer value'],
    [req('In', []), "requirements with operator 'In' must have a value defined"],
    [req('In', ['4'], 2), "requirements with 'minValues' must have at least that many values"],
    [req('AtLeast', ['4']), 'Unsupported value: "AtLeast": supported values: "In", "NotIn"'],
  ])('%j: %s', (r, want) => {
    const found = nodePoolIssue(pool([r]));
    if (want === undefined) expect(found).toBeUndefined();
    else expect(found?.message).toContain(want);
  });

  it('points at the requirement that is refused', () => {
    expect(nodePoolIssue(pool([req('In', ['4']), req('Gte', ['x'])]))?.pointer).toBe(
      '/spec/template/spec/requirements/1/values/0',
    );
  });

  it.each([
    [{ replicas: 3, limits: { nodes: 5 } }, undefined],
    [{ replicas: 3 }, undefined],
    [{ replicas: 3, limits: { cpu: '10' } }, "only 'limits.nodes' is supported on static NodePools"],
    [{ replicas: 3, weight: 10 }, "'weight' is not supported on static NodePools"],
    [{ limits: { cpu: '10', nodes: 3 }, weight: 10 }, undefined],
  ])('static pool %j: %s', (spec, want) => {
    expect(nodePoolIssue(pool([], spec))?.message).toBe(want);
  });

  it.each([
    ['Balanced', undefined],
    ['WhenEmpty', undefined],
    ['WhenEmptyOrUnderutilized', undefined],
    [
      'WhenUnderutilized',
      'Unsupported value: "WhenUnderutilized": supported values: "WhenEmpty", "WhenEmptyOrUnderutilized", "Balanced"',
    ],
  ])('consolidationPolicy %s: %s', (policy, want) => {
    const found = nodePoolIssue(pool([], { disruption: { consolidationPolicy: policy } }));
    expect(found?.message).toBe(want);
    if (want !== undefined) expect(found?.pointer).toBe('/spec/disruption/consolidationPolicy');
  });

  // Karpenter v1.15.0 karpenter.sh_nodepools.yaml spec.disruption: consolidateAfter optional (default
  // 0s), budget reasons with Unhealthy, the patterns and the schedule-with-duration rule.
  it.each([
    [{}, undefined, undefined],
    [{ budgets: [{ nodes: '1', reasons: ['Unhealthy'] }] }, undefined, undefined],
    [
      { budgets: [{ nodes: '1' }, { nodes: '20%', reasons: ['Drifted', 'Broken'] }] },
      '/spec/disruption/budgets/1/reasons/1',
      'Unsupported value: "Broken": supported values: "Underutilized", "Empty", "Drifted", "Unhealthy"',
    ],
    [
      { budgets: [{ nodes: '110%' }] },
      '/spec/disruption/budgets/0/nodes',
      `Invalid value: "110%": spec.disruption.budgets[0].nodes in body should match '^((100|[0-9]{1,2})%|[0-9]+)$'`,
    ],
    [
      { budgets: [{ nodes: '1', schedule: '0 9 * * *' }] },
      '/spec/disruption/budgets',
      "'schedule' must be set with 'duration'",
    ],
    [
      { budgets: [{ nodes: '1', schedule: '0 9 * * *', duration: '90s' }] },
      '/spec/disruption/budgets/0/duration',
      `Invalid value: "90s": spec.disruption.budgets[0].duration in body should match '^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$'`,
    ],
    [
      { consolidateAfter: '5 minutes' },
      '/spec/disruption/consolidateAfter',
      `Invalid value: "5 minutes": spec.disruption.consolidateAfter in body should match '^(([0-9]+(s|m|h))+|Never)$'`,
    ],
    [{ consolidateAfter: 'Never' }, undefined, undefined],
  ])('disruption %j: %s', (disruption, pointer, message) => {
    const found = nodePoolIssue(pool([], { disruption }));
    expect(found?.pointer).toBe(pointer);
    expect(found?.message).toBe(message);
  });
});
