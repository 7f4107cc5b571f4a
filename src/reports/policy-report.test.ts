import { describe, expect, it } from 'vitest';
import type { Verdict } from '../policies/engine.js';
import { buildReports, resultsOf } from './policy-report.js';

const at = { seconds: 1_800_000_000 };
function verdict(over: Partial<Verdict>): Verdict {
  return {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'web',
    allowed: true,
    violations: [],
    warnings: [],
    exempted: [],
    errors: [],
    rules: (['pdb-missing', 'single-replica', 'naked-pod', 'grace-period'] as const).map((id) => ({
      id,
      mode: 'enforce' as const,
    })),
    ...over,
  };
}
const obj = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1' },
};

describe('PolicyReport results', () => {
  it('gives a result per rule evaluated: fail (enforce, audit), warn, skip (exempted), error, and pass', () => {
    const v = verdict({
      allowed: false,
      violations: [
        { rule: 'pdb-missing', mode: 'enforce', message: '[pdb-missing] …' },
        { rule: 'single-replica', mode: 'warn', message: '[single-replica] …' },
        { rule: 'grace-period', mode: 'audit', message: '[grace-period] …' },
      ],
      exempted: [{ rule: 'naked-pod', reason: 'granted' }],
    });
    const byRule = Object.fromEntries(resultsOf(v, obj, at).map((r) => [r.rule, r]));
    expect(byRule['pdb-missing']).toMatchObject({
      result: 'fail',
      severity: 'high',
      properties: { mode: 'enforce' },
    });
    expect(byRule['single-replica']).toMatchObject({ result: 'warn', severity: 'medium' });
    expect(byRule['grace-period']).toMatchObject({
      result: 'fail',
      severity: 'low',
      properties: { mode: 'audit' },
    });
    expect(byRule['naked-pod']).toMatchObject({ result: 'skip', message: 'exempted: granted' });
    expect(byRule['pdb-missing']?.resources).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'u-1' },
    ]);
    const clean = resultsOf(verdict({}), obj, at);
    expect(clean.map((r) => r.result)).toEqual(['pass', 'pass', 'pass', 'pass']);
    const broken = resultsOf(verdict({ errors: [{ rule: 'naked-pod', message: 'boom' }] }), obj, at);
    expect(broken.find((r) => r.rule === 'naked-pod')?.result).toBe('error');
  });

  it('has no results for objects nothing was evaluated on', () => {
    expect(
      resultsOf({ ...verdict({ skipped: 'no rules for kind Service' }), rules: [] }, undefined, at),
    ).toEqual([]);
  });
});

describe('buildReports', () => {
  it('makes one PolicyReport per namespace with its summary, in a stable order', () => {
    const reports = buildReports(
      [
        verdict({ namespace: 'b' }),
        verdict({ namespace: 'a', violations: [{ rule: 'pdb-missing', mode: 'warn', message: 'x' }] }),
      ],
      [obj, obj],
      at,
    );
    expect(reports.map((r) => [r.kind, r.metadata.namespace, r.metadata.name])).toEqual([
      ['PolicyReport', 'a', 'berth'],
      ['PolicyReport', 'b', 'berth'],
    ]);
    expect(reports[0]?.summary).toEqual({ pass: 3, fail: 0, warn: 1, error: 0, skip: 0 });
  });

  it('puts cluster-scoped objects in a ClusterPolicyReport', () => {
    const [r] = buildReports([verdict({ namespace: '' })], [obj], at);
    expect(r?.kind).toBe('ClusterPolicyReport');
    expect(r?.metadata.namespace).toBeUndefined();
  });

  it('splits a report that would pass the size limit, every piece under it', () => {
    const many = Array.from({ length: 300 }, (_, i) => verdict({ name: `w${i}` }));
    const reports = buildReports(
      many,
      many.map(() => obj),
      at,
      50_000,
    );
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.map((r) => r.metadata.name).slice(0, 3)).toEqual(['berth', 'berth-2', 'berth-3']);
    for (const r of reports) expect(Buffer.byteLength(JSON.stringify(r.results))).toBeLessThan(50_000 + 1000);
    expect(reports.reduce((n, r) => n + r.results.length, 0)).toBe(300 * 4);
  });
});
