/** `berth policies validate`: a policies.yaml checked as the live reload checks it, and against NodePools. */
import { readFileSync } from 'node:fs';
import { formatYamlError, loadPoliciesFile, type Policies } from '../policies/policies.js';
import { parseYamlDocuments, positionOf, type YamlError } from '../util/yaml-source.js';
import { nodePoolsFrom } from '../inputs/session.js';
import type { CliIO } from '../util/io.js';

export interface ValidateOpts {
  nodepools?: string[];
}

/** Runtime classes that name a NodePool the given files do not hold: their workloads could land nowhere. */
function missingPools(file: string, policies: Policies, paths: readonly string[]): YamlError[] {
  const names = new Set(nodePoolsFrom(paths).nodePools.map((p) => p.metadata.name));
  const parsed = parseYamlDocuments(readFileSync(file, 'utf8'), file);
  const source = parsed.ok ? parsed.docs[0] : undefined;
  const out: YamlError[] = [];
  for (const [cls, config] of policies.runtimeClasses)
    config.nodePools.forEach((pool, i) => {
      if (names.has(pool)) return;
      const at = source
        ? positionOf(source, `/runtimeClasses/${cls}/nodePools/${i}`)
        : { file, line: 1, col: 1 };
      out.push({
        ...at,
        message: `runtimeClasses.${cls}.nodePools[${i}]: NodePool ${pool} is not in ${paths.join(', ')}`,
      });
    });
  return out;
}

export function validateAction(file: string, opts: ValidateOpts, io: CliIO): void {
  const loaded = loadPoliciesFile(file);
  const errors = loaded.ok
    ? opts.nodepools
      ? missingPools(file, loaded.policies, opts.nodepools)
      : []
    : loaded.errors;
  if (loaded.ok) for (const w of loaded.warnings) io.err(`${formatYamlError(w)}\n`);
  if (loaded.ok && errors.length === 0) {
    const classes = [...loaded.policies.runtimeClasses.keys()].join(', ');
    io.out(`${file}: valid (${loaded.policies.runtimeClasses.size} runtime classes: ${classes})\n`);
    io.exit(0);
    return;
  }
  for (const e of errors) io.err(`${formatYamlError(e)}\n`);
  io.err(`${file}: ${errors.length} error(s); the policy was not applied\n`);
  io.exit(2);
}
