import { describe, expect, it } from 'vitest';
import { defaultPolicies, loadPolicies, type RuleScope } from './policies.js';
import { planRules, rulesFor, sameLabels, type PlannedRule } from './plan.js';
import type { Target } from './rules/rule.js';

const scope = (namespace: string, labels: Record<string, string>, runtimeClass?: string): RuleScope => ({
  namespace,
  namespaceLabels: labels,
  runtimeClass,
});
const modeOf = (plan: readonly PlannedRule[], id: string) => plan.find((p) => p.rule.id === id)?.mode;

describe('sameLabels', () => {
  it.each([
    [{}, {}, true],
    [{ a: '1' }, { a: '1' }, true],
    [{ a: '1' }, { a: '2' }, false],
    [{ a: '1' }, {}, false],
    [{}, { a: '1' }, false],
    [{ a: '1' }, { a: '1', b: '2' }, false],
    [{}, { constructor: 'x' }, false],
    [{ constructor: 'x' }, {}, false],
  ])('%j vs %j → %s', (a, b, same) => {
    expect(sameLabels(a, b)).toBe(same);
  });
});

describe('rule plans', () => {
  const policies = defaultPolicies();
  const targets: Target[] = ['workload', 'pdb', 'hpa', 'profile'];

  it.each(targets)('the memoized plan for %s is planRules, and reused for the same scope', (target) => {
    const s = scope('shop', { team: 'a' }, 'general');
    const first = rulesFor(policies, target, s);
    expect(first).toEqual(planRules(policies, target, s));
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((p) => p.rule.targets.includes(target))).toBe(true);
    // Another labels object with the same content is the same scope.
    expect(rulesFor(policies, target, scope('shop', { team: 'a' }, 'general'))).toBe(first);
  });

  it('keeps namespaces, runtime classes and targets apart', () => {
    const a = rulesFor(policies, 'workload', scope('a', {}, 'general'));
    expect(rulesFor(policies, 'workload', scope('b', {}, 'general'))).not.toBe(a);
    expect(rulesFor(policies, 'workload', scope('a', {}, 'memory'))).not.toBe(a);
    expect(rulesFor(policies, 'workload', scope('a', {}))).not.toBe(a);
    expect(rulesFor(policies, 'pdb', scope('a', {}, 'general'))).not.toBe(a);
  });

  it('follows a namespace whose labels changed under the same name', () => {
    const labels: Record<string, string> = {};
    expect(modeOf(rulesFor(policies, 'workload', scope('tier', labels)), 'single-replica')).toBe('warn');
    // An informer replaces the object; a view that mutated it in place must not be served the old plan.
    labels['berth.dev/tier'] = 'production';
    expect(modeOf(rulesFor(policies, 'workload', scope('tier', labels)), 'single-replica')).toBe('enforce');
    expect(modeOf(rulesFor(policies, 'workload', scope('tier', {})), 'single-replica')).toBe('warn');
  });

  it('leaves out rules that are off, and plans afresh for reloaded policies', () => {
    const r = loadPolicies('runtimeClasses: {}\nrules:\n  naked-pod: { mode: off }\n', 'p.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = scope('x', {});
    expect(modeOf(rulesFor(policies, 'workload', s), 'naked-pod')).toBe('warn');
    expect(modeOf(rulesFor(r.policies, 'workload', s), 'naked-pod')).toBeUndefined();
  });

  it('runs profile-schema alone on a malformed profile', () => {
    const plan = planRules(policies, 'profile', scope('x', {}), true);
    expect(plan.map((p) => p.rule.id)).toEqual(['profile-schema']);
  });
});
