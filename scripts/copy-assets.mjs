// Makes the built CLI executable; tsc emits the JSON catalog it imports.
import { chmodSync, existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) throw new Error('dist/src/cli/main.js is missing: did tsc run?');
chmodSync(entry, 0o755);
