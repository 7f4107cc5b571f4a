/** Writes docs/reference/ from the schemas, CRDs, rule catalogue, CLI and metrics (npm run gen:reference). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referencePages } from './reference/pages.js';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const [path, text] of referencePages(root)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  console.log(`wrote ${path}`);
}
