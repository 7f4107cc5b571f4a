/**
 * What the build writes beside the code for a fast start (scripts/copy-assets.mjs) says what the code
 * would compute itself: the validators compiled ahead of time answer as ajv compiling the same schemas
 * at run time, and the embedded defaults' snapshot holds what parsing policies.yaml and
 * deploy/nodepools gives. Run after `npm run build` (CI does); skipped without a build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { ValidateFunction } from 'ajv';
import { SHAPE_OPTIONS, SHAPE_SCHEMAS } from '../src/admission/object-shape.js';
import { loadObjects } from '../src/inputs/objects.js';
import { loadPoliciesFile } from '../src/policies/policies.js';
import { schemasToCompile, SCHEMA_OPTIONS } from '../src/policies/schema/validate.js';
import { SNAPSHOT_FILE, sourceDigests } from '../src/util/embedded.js';
import { validatorFile } from '../src/util/precompiled.js';

const built = existsSync('dist/validators') && existsSync(`dist/${SNAPSHOT_FILE}`);
const require = createRequire(import.meta.url);
const { Ajv } = require('ajv') as { Ajv: new (o: object) => { compile(s: object): ValidateFunction } };

function ahead(set: 'shapes' | 'schemas', name: string): ValidateFunction {
  const mod = require(`../dist/${validatorFile(set, name)}`) as Record<string, ValidateFunction>;
  const fn = mod[name];
  if (!fn) throw new Error(`no precompiled ${set} ${name}`);
  return fn;
}

describe.skipIf(!built)('the build artifacts', () => {
  it('precompiled shape validators answer as run-time ones over the examples and broken copies of them', () => {
    const loaded = loadObjects(['examples', 'test/manifests']);
    if (!loaded.ok) throw new Error('the corpus loads');
    const samples = loaded.objects.map((o) => o.object);
    const broken = samples.map((o) => ({
      ...structuredClone(o),
      spec: { replicas: 'three', template: null },
    }));
    for (const kind of Object.keys(SHAPE_SCHEMAS)) {
      const now = new Ajv(SHAPE_OPTIONS).compile(SHAPE_SCHEMAS[kind] as object);
      const pre = ahead('shapes', kind);
      for (const o of [...samples, ...broken].filter((x) => x.kind === kind))
        expect(pre(o), `${kind} ${o.metadata?.name ?? ''}`).toBe(now(o));
    }
  });

  it('precompiled profile and policies validators answer as run-time ones', () => {
    const policies = loadPoliciesFile('policies.yaml');
    if (!policies.ok) throw new Error('policies.yaml loads');
    const docs = [policies.policies.doc, { ...policies.policies.doc, rules: 'none' }, { zones: 3 }];
    const addFormats = require('ajv-formats') as { default: (a: unknown) => typeof a };
    const ajv = addFormats.default(new Ajv(SCHEMA_OPTIONS)) as InstanceType<typeof Ajv>;
    const now = ajv.compile(schemasToCompile().policies);
    const pre = ahead('schemas', 'policies');
    for (const d of docs) expect(pre(d)).toBe(now(d));
  });

  it('the embedded defaults snapshot holds what parsing the files gives, for the files as they are', () => {
    const snapshot = JSON.parse(readFileSync(`dist/${SNAPSHOT_FILE}`, 'utf8')) as {
      sources: Record<string, string>;
      policies: unknown;
      nodePools: unknown[];
    };
    expect(snapshot.sources).toEqual(sourceDigests());
    const policies = loadPoliciesFile('policies.yaml');
    if (!policies.ok) throw new Error('policies.yaml loads');
    expect(snapshot.policies).toEqual(JSON.parse(JSON.stringify(policies.policies.doc)));
    const pools = loadObjects(['deploy/nodepools']);
    if (!pools.ok) throw new Error('deploy/nodepools loads');
    expect(snapshot.nodePools).toEqual(
      JSON.parse(JSON.stringify(pools.objects.map((o) => o.object).filter((o) => o.kind === 'NodePool'))),
    );
  });
});
