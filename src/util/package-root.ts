/** The package's own files (policies.yaml, deploy/, examples/) from src/ under tsx or dist/src/ when built. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'policies.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the berth package root (package.json beside policies.yaml)');
    dir = up;
  }
  root = dir;
  return dir;
}

export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
