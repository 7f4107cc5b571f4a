/**
 * The YAML fixture suite: test/fixtures/<case>/input.yaml (objects applied together), optional
 * policies.yaml and nodepools.yaml, and expected.yaml (verdicts, compiled output, generated PDBs).
 * Every case is also compiled a second time to prove compilation is idempotent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadObjects } from '../src/inputs/objects.js';
import { openSession } from '../src/inputs/session.js';
import { runOffline } from '../src/policies/offline.js';
import type { KubeObject } from '../src/kube/objects.js';

interface ExpectedResult {
  object: string;
  allowed?: boolean;
  rules?: string[];
  modes?: string[];
  messages?: string[];
  warnings?: string[];
  exempted?: string[];
  skipped?: string;
}

interface Expected {
  description: string;
  focus?: string[];
  results?: ExpectedResult[];
  compiled?: { object: string; match?: unknown; absent?: string[] }[];
  pdbs?: { name: string; match?: unknown }[];
  noPdbs?: boolean;
}

const ROOT = new URL('./fixtures/', import.meta.url).pathname;
const TODAY = '2026-11-21';
const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function keyOf(o: {
  kind?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}): string {
  return `${o.kind ?? ''}/${o.namespace ?? ''}/${o.name ?? ''}`;
}

function objKey(o: KubeObject): string {
  return keyOf({ kind: o.kind, namespace: o.metadata?.namespace ?? 'default', name: o.metadata?.name });
}

function run(dir: string, objects?: KubeObject[]): ReturnType<typeof runOffline> {
  const policies = join(dir, 'policies.yaml');
  const pools = join(dir, 'nodepools.yaml');
  const session = openSession({
    ...(existsSync(policies) ? { policies } : {}),
    ...(existsSync(pools) ? { nodepools: [pools] } : {}),
  });
  let objs = objects;
  if (!objs) {
    const loaded = loadObjects([join(dir, 'input.yaml')]);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    objs = loaded.objects.map((o) => o.object);
  }
  return runOffline({ ...session, objects: objs, today: TODAY });
}

describe('fixtures', () => {
  // DESIGN §6: warnings under 120 characters, shortened by rewording: every fixture's warnings keep
  // their fix, and none has its middle cut out.
  it('gives every warning with its fix, under 120 characters, reworded, never cut', () => {
    for (const name of cases)
      for (const v of run(join(ROOT, name)).verdicts)
        for (const w of v.warnings) {
          expect(w.length, `${name}: ${w}`).toBeLessThan(120);
          expect(w, name).toContain('; fix: ');
          expect(w, name).not.toContain('…');
        }
  });

  it('has at least 80 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
  });

  for (const name of cases) {
    const dir = join(ROOT, name);
    const expected = parse(readFileSync(join(dir, 'expected.yaml'), 'utf8')) as Expected;
    it(`${name}: ${expected.description}`, () => {
      const result = run(dir);
      for (const exp of expected.results ?? []) {
        const v = result.verdicts.find((x) => keyOf(x) === exp.object);
        expect(v, `no result for ${exp.object}`).toBeDefined();
        if (!v) continue;
        const violations = v.violations.filter((x) => !expected.focus || expected.focus.includes(x.rule));
        const ctx = `${exp.object}: ${JSON.stringify(v.violations, null, 1)}`;
        if (exp.allowed !== undefined) expect(v.allowed, ctx).toBe(exp.allowed);
        if (exp.rules)
          expect(
            violations.map((x) => x.rule),
            ctx,
          ).toEqual(exp.rules);
        if (exp.modes)
          expect(
            violations.map((x) => x.mode),
            ctx,
          ).toEqual(exp.modes);
        for (const m of exp.messages ?? [])
          expect(violations.map((x) => x.message).join('\n'), ctx).toContain(m);
        for (const w of exp.warnings ?? []) expect(v.warnings.join('\n')).toContain(w);
        for (const w of v.warnings) expect(w.length).toBeLessThan(120);
        if (exp.exempted) expect(v.exempted.map((e) => e.rule)).toEqual(exp.exempted);
        if (exp.skipped) expect(v.skipped).toContain(exp.skipped);
        expect(v.errors, ctx).toEqual([]);
      }
      for (const c of expected.compiled ?? []) {
        const obj = result.admitted.find((o) => objKey(o) === c.object);
        expect(obj, `no admitted ${c.object}`).toBeDefined();
        if (c.match !== undefined) expect(obj).toMatchObject(c.match as object);
        for (const path of c.absent ?? [])
          expect(getPath(obj, path), `${path} should be absent`).toBeUndefined();
      }
      for (const p of expected.pdbs ?? []) {
        const pdb = result.pdbs.find((x) => x.metadata?.name === p.name);
        expect(pdb, `no generated PDB ${p.name}`).toBeDefined();
        if (p.match !== undefined) expect(pdb).toMatchObject(p.match as object);
      }
      if (expected.noPdbs) expect(result.pdbs).toEqual([]);

      // Idempotency: compiling the compiled objects again changes nothing.
      const again = run(
        dir,
        result.admitted.map((o) => structuredClone(o)),
      );
      expect(again.admitted).toEqual(result.admitted);
    });
  }
});

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}
