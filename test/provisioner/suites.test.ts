/**
 * Every plan of the benchmark's suites, checked by the independent verifier: resources, pod slots,
 * requirements, taints, spread skew, affinity and anti-affinity, limits and prices.
 */
import { describe, expect, it } from 'vitest';
import { SUITES } from '../../bench/provisioner-suite.js';
import { solve } from '../../src/provisioner/solver/solve.js';
import { verifyPlan } from '../../src/provisioner/verify/verify-plan.js';

describe.each(SUITES.map((s) => [s.name, s] as const))('suite %s', (_name, suite) => {
  it.each([200, 2000])('plans %i pods validly, near the lower bound where it is tight', (n) => {
    const input = suite.input(n);
    const plan = solve({ ...input, budgetMillis: 50 });
    expect(verifyPlan(input, plan)).toEqual([]);
    expect(plan.totals.pods + plan.unschedulable.length).toBe(n);
    expect(plan.unschedulable).toEqual([]);
    // The bound is on the whole price: instances and what the nodes cost beside them (volumes).
    const whole = plan.totals.pricePerHour + plan.totals.nodeCostsPerHour;
    expect(whole).toBeGreaterThanOrEqual(plan.lowerBound - 1e-6);
    if (suite.name !== 'karpenter-mix') expect(whole).toBeLessThanOrEqual(plan.lowerBound * 1.1);
  });
});

describe('verifier', () => {
  it('catches a plan that breaks the rules', () => {
    const input = SUITES[0]?.input(200);
    if (!input) throw new Error('no suite');
    const plan = solve(input);
    const [a, b] = plan.nodes;
    if (!a || !b) throw new Error('expected two nodes');
    // Move every pod of node b onto node a: resources and anti-affinity must now fail.
    a.pods.push(...b.pods.splice(0));
    const bindings = plan.bindings.map((x) => (x.node === b.name ? { ...x, node: a.name } : x));
    const problems = verifyPlan(input, { ...plan, bindings });
    expect(problems.some((p) => p.message.includes('anti-affinity'))).toBe(true);
    const dropped = verifyPlan(input, { ...plan, unschedulable: [], nodes: plan.nodes.slice(1) });
    expect(dropped.some((p) => p.message.includes('appears 0 times'))).toBe(true);
  });
});
