import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LivePolicies } from './live.js';
import { defaultPolicies } from './policies.js';

const good = readFileSync('policies.yaml', 'utf8');

describe('LivePolicies', () => {
  it('applies a good change, refuses a bad one with line and column, keeps the last good in force', () => {
    let text = good;
    const live = new LivePolicies(defaultPolicies(), 'policies.yaml', () => text);
    const seen: boolean[] = [];
    live.onReload((r) => seen.push(r.applied));
    expect(live.reload()).toBeUndefined();

    text = good.replace('pdb-blocks-eviction: { mode: enforce }', 'pdb-blocks-eviction: { mode: warn }');
    expect(live.reload()).toEqual({ applied: true, warnings: [] });
    const applied = live.current;
    expect(
      applied.resolve(
        'pdb-blocks-eviction',
        { mode: 'enforce', params: {} },
        { namespace: 'x', namespaceLabels: {}, runtimeClass: undefined },
      ).mode,
    ).toBe('warn');

    text = good.replace('pdb-blocks-eviction: { mode: enforce }', 'pdb-blocks-eviction: { mode: sometimes }');
    const refused = live.reload();
    expect(refused?.applied).toBe(false);
    expect(refused && !refused.applied && refused.errors[0]).toMatch(/^policies\.yaml:\d+:\d+: /);
    expect(live.current).toBe(applied);
    expect(live.refused).toBeDefined();

    text = good;
    expect(live.reload()).toEqual({ applied: true, warnings: [] });
    expect(live.refused).toBeUndefined();
    expect(seen).toEqual([true, false, true]);
  });

  it('refuses an unreadable file without losing the policy', () => {
    const live = new LivePolicies(defaultPolicies(), '/nonexistent/policies.yaml');
    const before = live.current;
    expect(live.reload()?.applied).toBe(false);
    expect(live.current).toBe(before);
  });
});
