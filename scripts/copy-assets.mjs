// After tsc: makes the built CLI executable, and snapshots the embedded defaults (policies.yaml and
// deploy/nodepools/, parsed and validated by the built code itself) so that a start reads JSON instead
// of parsing YAML and compiling schemas (src/util/embedded.ts; used only while the files are unchanged).
import { chmodSync, existsSync, writeFileSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) throw new Error('dist/src/cli/main.js is missing: did tsc run?');
chmodSync(entry, 0o755);

const { loadPoliciesFile } = await import('../dist/src/policies/policies.js');
const { loadObjects } = await import('../dist/src/cli/inputs.js');
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
};
writeFileSync(new URL(`../dist/${SNAPSHOT_FILE}`, import.meta.url), JSON.stringify(snapshot));
