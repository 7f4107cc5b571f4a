/**
 * Validators the build compiled ahead of time (ajv standalone code, written by scripts/copy-assets.mjs
 * beside the built code): a start loads small generated functions instead of ajv and its compiler
 * (~50 ms a schema). Built code only, where the schemas and the generated code come from one build;
 * sources run by tsx or vitest compile at first use.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { packageRoot } from './package-root.js';

const BUILT = import.meta.url.includes('/dist/');
const requireCjs = createRequire(import.meta.url);
const loaded = new Map<string, Readonly<Record<string, ValidateFunction>> | null>();

export type ValidatorSet = 'shapes' | 'schemas';

/** The file of one validator (a file each, so that a start loads only what it meets). */
export const validatorFile = (set: ValidatorSet, name: string): string => `validators/${set}-${name}.cjs`;

export function precompiled(set: ValidatorSet, name: string): ValidateFunction | undefined {
  if (!BUILT) return undefined;
  const file = validatorFile(set, name);
  let fns = loaded.get(file);
  if (fns === undefined) {
    try {
      fns = requireCjs(join(packageRoot(), 'dist', file)) as Record<string, ValidateFunction>;
    } catch {
      fns = null;
    }
    loaded.set(file, fns);
  }
  return fns?.[name];
}
