/**
 * Validators on first use: those the build compiled ahead of time (ajv standalone code, written by
 * scripts/copy-assets.mjs beside the built code), else ajv compiling the schema then. A start loads
 * small generated functions instead of ajv and its compiler (~50 ms a schema); a command that
 * validates nothing loads neither. Ahead-of-time code is used by built code only, where the schemas
 * and the generated code come from one build; sources run by tsx or vitest compile at first use.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, ValidateFunction } from 'ajv';
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

/** Each set's validators by name, and the ajv that compiles what the build did not. */
const validators = new Map<string, ValidateFunction>();
const compilers = new Map<ValidatorSet, Ajv>();

function compilerFor(set: ValidatorSet, options: object, formats: boolean): Ajv {
  let ajv = compilers.get(set);
  if (!ajv) {
    const { Ajv: AjvClass } = requireCjs('ajv') as { Ajv: new (o: object) => Ajv };
    ajv = new AjvClass(options);
    if (formats) (requireCjs('ajv-formats') as { default: (a: Ajv) => Ajv }).default(ajv);
    compilers.set(set, ajv);
  }
  return ajv;
}

/** The validator `name` of `set`: compiled ahead of time, or now from `schema()` with `options`. */
export function validatorOf(
  set: ValidatorSet,
  name: string,
  compile: { readonly options: object; readonly formats: boolean; readonly schema: () => object },
): ValidateFunction {
  const key = `${set}/${name}`;
  let fn = validators.get(key) ?? precompiled(set, name);
  fn ??= compilerFor(set, compile.options, compile.formats).compile(compile.schema());
  validators.set(key, fn);
  return fn;
}
