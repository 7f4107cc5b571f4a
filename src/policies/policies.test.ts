import { describe, expect, it } from 'vitest';
import { defaultPolicies, loadPolicies } from './policies.js';

describe('policies.yaml loading', () => {
  it('the embedded default is valid and has the seven classes', () => {
    const p = defaultPolicies();
    expect([...p.runtimeClasses.keys()].sort()).toEqual([
      'batch',
      'compute',
      'general',
      'gpu',
      'memory',
      'regulated',
      'system',
    ]);
  });

  it('reports an unknown rule id at its line and column', () => {
    const text =
      'runtimeClasses:\n  general: { nodePools: [general] }\nrules:\n  pdb-blocks-evicton: { mode: enforce }\n';
    const r = loadPolicies(text, 'p.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContainEqual({
      file: 'p.yaml',
      line: 4,
      col: 3,
      message: 'rules.pdb-blocks-evicton: "pdb-blocks-evicton" is not a known name here',
    });
  });

  it('reports a bad mode at the value', () => {
    const text =
      'runtimeClasses:\n  general: { nodePools: [general] }\nrules:\n  naked-pod:\n    mode: deny\n';
    const r = loadPolicies(text, 'p.yaml');
    expect(r.ok ? [] : r.errors).toEqual([
      {
        file: 'p.yaml',
        line: 5,
        col: 11,
        message: 'rules.naked-pod.mode: must be one of: enforce, warn, audit, off',
      },
    ]);
  });

  it('reports unknown fields and missing required ones', () => {
    const r = loadPolicies('runtimeClasses:\n  general:\n    nodepools: [general]\n', 'p.yaml');
    const messages = r.ok ? [] : r.errors.map((e) => `${e.line}:${e.message}`);
    expect(messages).toContain('3:runtimeClasses.general.nodepools: unknown field');
    expect(messages).toContain('2:runtimeClasses.general.nodePools: required field is missing');
  });

  it('reports YAML syntax errors with their line', () => {
    const r = loadPolicies('runtimeClasses:\n  general: [unclosed\n', 'p.yaml');
    expect(r.ok).toBe(false);
    expect(r.ok ? 0 : r.errors[0]?.line).toBeGreaterThan(1);
  });

  it('resolves overrides by namespace selector and runtime class, last match winning', () => {
    const p = defaultPolicies();
    const base = { mode: 'warn' as const, params: {} };
    expect(
      p.resolve('single-replica', base, { namespace: 'a', namespaceLabels: {}, runtimeClass: 'general' })
        .mode,
    ).toBe('warn');
    expect(
      p.resolve('single-replica', base, {
        namespace: 'a',
        namespaceLabels: { 'berth.dev/tier': 'production' },
        runtimeClass: undefined,
      }).mode,
    ).toBe('enforce');
    expect(
      p.resolve('pdb-missing', base, { namespace: 'a', namespaceLabels: {}, runtimeClass: 'memory' }).mode,
    ).toBe('enforce');
    expect(
      p.resolve(
        'grace-period',
        { mode: 'warn', params: { maxSeconds: 1 } },
        { namespace: 'a', namespaceLabels: {}, runtimeClass: undefined },
      ).params,
    ).toEqual({ maxSeconds: 300 });
  });

  it('resolves a rule from its defaults and config, and never mixes rules or defaults', () => {
    const r = loadPolicies(
      'runtimeClasses: {}\nrules:\n  grace-period: { params: { maxSeconds: 60 } }\n',
      'p.yaml',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const scope = { namespace: 'a', namespaceLabels: {}, runtimeClass: undefined };
    const defaults = { mode: 'warn' as const, params: { maxSeconds: 1, other: true } };
    const first = r.policies.resolve('grace-period', defaults, scope);
    expect(first).toEqual({ mode: 'warn', params: { maxSeconds: 60, other: true } });
    expect(r.policies.resolve('naked-pod', defaults, scope)).toEqual(defaults);
    expect(r.policies.resolve('grace-period', { mode: 'audit', params: {} }, scope)).toEqual({
      mode: 'audit',
      params: { maxSeconds: 60 },
    });
  });

  it('resolves a rule with many overrides, each in its namespace', () => {
    const overrides = Array.from(
      { length: 40 },
      (_, i) => `      - { namespaces: [ns${i}], params: { maxSeconds: ${i} } }`,
    );
    const text = `runtimeClasses: {}\nrules:\n  grace-period:\n    overrides:\n${overrides.join('\n')}\n`;
    const r = loadPolicies(text, 'p.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const base = { mode: 'warn' as const, params: {} };
    for (const i of [35, 3, 39]) {
      const scope = { namespace: `ns${i}`, namespaceLabels: {}, runtimeClass: undefined };
      expect(r.policies.resolve('grace-period', base, scope).params).toEqual({ maxSeconds: i });
    }
  });

  it('honours exemption expiry against the given day', () => {
    const text =
      'runtimeClasses: {}\nexemptions:\n  objects:\n    - { rule: naked-pod, kind: Pod, namespace: a, name: p, reason: r, expires: "2026-12-31" }\n';
    const r = loadPolicies(text, 'p.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policies.exemption('naked-pod', 'Pod', 'a', 'p', '2026-12-31')).toBeDefined();
    expect(r.policies.exemption('naked-pod', 'Pod', 'a', 'p', '2027-01-01')).toBeUndefined();
  });
});

describe('the minimum saving of a replacing consolidation', () => {
  const load = (text: string) => {
    const r = loadPolicies(text, 'p.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.policies;
  };
  const classes =
    'runtimeClasses:\n  general: { nodePools: [general, shared] }\n  batch: { nodePools: [batch, shared] }\n';

  it.each([
    ['unset: 30% everywhere', classes, { general: 0.3, batch: 0.3, other: 0.3 }],
    [
      'the cluster at 10%',
      `${classes}provisioner:\n  consolidation: { minSavingsPercent: 10 }\n`,
      { general: 0.1, batch: 0.1, other: 0.1 },
    ],
    [
      'a class sets its pools; a pool of two classes takes the larger',
      'runtimeClasses:\n  general: { nodePools: [general, shared], minSavingsPercent: 0 }\n  batch: { nodePools: [batch, shared], minSavingsPercent: 50 }\nprovisioner:\n  consolidation: { minSavingsPercent: 20 }\n',
      { general: 0, batch: 0.5, shared: 0.5, other: 0.2 },
    ],
  ])('%s', (_, text, want) => {
    const p = load(text);
    for (const [pool, share] of Object.entries(want)) expect(p.minSavings(pool)).toBe(share);
  });

  it('refuses a share outside 0–100 at its line', () => {
    const r = loadPolicies(`${classes}provisioner:\n  consolidation: { minSavingsPercent: 130 }\n`, 'p.yaml');
    expect(r.ok ? [] : r.errors.map((e) => [e.line, e.message])).toEqual([
      [5, expect.stringContaining('provisioner.consolidation.minSavingsPercent') as unknown],
    ]);
  });
});
