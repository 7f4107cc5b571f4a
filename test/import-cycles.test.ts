import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** Every non-test source file's relative imports (type-only ones too: they are layers as well). */
function graph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) files.push(p);
    }
  };
  walk(SRC);
  const g = new Map<string, string[]>();
  for (const f of files) {
    const deps: string[] = [];
    for (const m of readFileSync(f, 'utf8').matchAll(/(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'/g)) {
      const target = resolve(dirname(f), (m[1] ?? '').replace(/\.js$/, '.ts'));
      if (existsSync(target)) deps.push(target);
    }
    g.set(
      relative(SRC, f),
      deps.map((d) => relative(SRC, d)),
    );
  }
  return g;
}

/** The import circles: strongly connected components of more than one file (Tarjan). */
function circles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      on.delete(w);
      component.push(w);
    }
    if (component.length > 1) out.push(component.sort());
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out.map((c) => c).sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

describe('import circles', () => {
  const found = circles(graph());

  it('src/provisioner/disruption reads top-down: no file in it imports one that imports it back', () => {
    expect(found.filter((c) => c.some((f) => f.startsWith('provisioner/disruption/')))).toEqual([]);
  });

  it('no circle beyond the ones still to be taken apart (a new one fails; one taken apart is struck off)', () => {
    expect(found).toEqual([
      [
        'operator/duties/nodeclaims.ts',
        'operator/duties/nodeoverlay-status.ts',
        'operator/duties/nodepool-status.ts',
      ],
      [
        'provisioner/solver/bin.ts',
        'provisioner/solver/explain.ts',
        'provisioner/solver/model.ts',
        'provisioner/solver/pools.ts',
        'provisioner/solver/price-index.ts',
        'provisioner/solver/state.ts',
        'provisioner/solver/topology.ts',
      ],
      ['provisioner/verify/verify-plan.ts', 'provisioner/verify/verify-topology.ts'],
      ['scheduling/node-overlay-catalog.ts', 'scheduling/node-overlay.ts', 'scheduling/nodepool.ts'],
      ['scheduling/placement-messages.ts', 'scheduling/placement.ts'],
    ]);
  });
});
