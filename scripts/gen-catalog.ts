/**
 * Generates the built-in catalog (src/catalog/catalog.data.json) from the facts in
 * data/ec2-instance-types.json (data/README.md describes it). Usage: npm run gen:catalog [-- path/to/ec2-instance-types.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COLUMNS, toRow, type CompactCatalog } from '../src/catalog/compact.js';
import { parseFactsFile } from '../src/catalog/catalog.js';

const input = process.argv[2] ?? fileURLToPath(new URL('../data/ec2-instance-types.json', import.meta.url));
const out = fileURLToPath(new URL('../src/catalog/catalog.data.json', import.meta.url));
const facts = parseFactsFile(readFileSync(input, 'utf8'), input);
const compact: CompactCatalog = {
  source: `${facts.source} (compacted by scripts/gen-catalog.ts)`,
  region: facts.region,
  columns: COLUMNS,
  rows: facts.instanceTypes.map(toRow),
};
const body = compact.rows.map((r) => JSON.stringify(r)).join(',\n');
writeFileSync(
  out,
  `{"source":${JSON.stringify(compact.source)},"region":${JSON.stringify(compact.region)},` +
    `"columns":${JSON.stringify(compact.columns)},"rows":[\n${body}\n]}\n`,
);
console.log(`wrote ${compact.rows.length} instance types to ${out}`);
