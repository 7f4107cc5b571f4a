/**
 * CEL conformance (google/cel-spec v0.25.1 through @bufbuild/cel-spec) for the features Kubernetes
 * enables, run through Berth's CEL environment. Every case passes except those listed, with why, in
 * known-failures.yaml; a listed case that starts passing fails the test too, so the list stays true.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { conformanceEnv, k8sCases, runCase } from './conformance-cases.js';

interface Known {
  reason: string;
  why: string;
  cases: string[];
}

const known = parse(readFileSync('test/cel/known-failures.yaml', 'utf8')) as Known[];
const listed = new Map(known.flatMap((k) => k.cases.map((c) => [c, k.reason] as const)));

describe('CEL conformance for what Kubernetes enables', () => {
  const env = conformanceEnv();
  const cases = k8sCases();

  it('covers the suites', () => {
    expect(cases.length).toBeGreaterThan(1200);
  });

  it('passes every case but the listed ones, and fails every listed one', () => {
    const failing = new Map<string, string>();
    for (const c of cases) {
      const r = runCase(env, c);
      if (r !== undefined) failing.set(c.id, r);
    }
    const unexpected = [...failing].filter(([id]) => !listed.has(id)).map(([id, r]) => `${id}: ${r}`);
    const fixed = [...listed.keys()].filter((id) => !failing.has(id));
    expect(unexpected).toEqual([]);
    expect(fixed).toEqual([]);
    // The share that passes, for the record (docs/concepts/native-policies.md).
    expect(cases.length - failing.size).toBeGreaterThan(1100);
  });
});
