// After tsc: makes the built CLI executable, and snapshots the embedded defaults (policies.yaml and
// deploy/nodepools/, parsed and validated by the built code itself) so that a start reads JSON instead
// of parsing YAML and compiling schemas (src/util/embedded.ts; used only while the files are unchanged).
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) throw new Error('dist/src/cli/main.js is missing: did tsc run?');
chmodSync(entry, 0o755);

const { loadPoliciesFile } = await import('../dist/src/policies/policies.js');
const { loadObjects } = await import('../dist/src/inputs/objects.js');
const { packagePath } = await import('../dist/src/util/package-root.js');
const { SNAPSHOT_FILE, sourceDigests } = await import('../dist/src/util/embedded.js');

const policies = loadPoliciesFile(packagePath('policies.yaml'));
if (!policies.ok) throw new Error(`policies.yaml is invalid: ${JSON.stringify(policies.errors)}`);
const pools = loadObjects([packagePath('deploy', 'nodepools')]);
if (!pools.ok) throw new Error(`deploy/nodepools is invalid: ${JSON.stringify(pools.errors)}`);
const snapshot = {
  sources: sourceDigests(),
  policies: policies.policies.doc,
  nodePools: pools.objects.map((o) => o.object).filter((o) => o.kind === 'NodePool'),
  nodeClasses: pools.objects.map((o) => o.object).filter((o) => o.kind === 'EC2NodeClass'),
};
writeFileSync(new URL(`../dist/${SNAPSHOT_FILE}`, import.meta.url), JSON.stringify(snapshot));

// Validators compiled ahead of time (src/util/precompiled.ts): ajv standalone code, CommonJS, with the
// same schemas and options the code compiles at run time.
{
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const { Ajv } = require('ajv');
  const standaloneCode = require('ajv/dist/standalone').default;
  const addFormats = require('ajv-formats');
  const { SHAPE_SCHEMAS, SHAPE_OPTIONS } = await import('../dist/src/admission/object-shape.js');
  const { schemasToCompile, SCHEMA_OPTIONS } = await import('../dist/src/policies/schema/validate.js');
  const { validatorFile } = await import('../dist/src/util/precompiled.js');
  mkdirSync(new URL('../dist/validators/', import.meta.url), { recursive: true });
  const emit = (set, makeAjv, schemas) => {
    for (const [name, schema] of Object.entries(schemas)) {
      const ajv = makeAjv();
      ajv.addSchema(schema, name);
      const code = standaloneCode(ajv, { [name]: name });
      writeFileSync(new URL(`../dist/${validatorFile(set, name)}`, import.meta.url), code);
    }
  };
  emit('shapes', () => new Ajv({ ...SHAPE_OPTIONS, code: { source: true } }), SHAPE_SCHEMAS);
  emit(
    'schemas',
    () => addFormats(new Ajv({ ...SCHEMA_OPTIONS, code: { source: true } })),
    schemasToCompile(),
  );
}
