/**
 * The modules a source file loads when it is imported: its static value imports, followed through
 * the repository's own files (`import type` and dynamic `import()` load nothing at that point).
 * Used to keep heavy packages (the AWS SDK) off the paths that do not need them.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/**
 * The specifiers a module's text loads: every static import and re-export but `import type` and
 * `export type` (under verbatimModuleSyntax, `import { type A } from 'x'` still loads x).
 */
export function valueImports(text: string): string[] {
  return [...text.matchAll(STATIC_IMPORT)].flatMap((m) => m[1] ?? []);
}

/** Every package (bare specifier) reached from `entry` through static value imports. */
export function packagesReached(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of valueImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(resolve(entry));
  return packages;
}
