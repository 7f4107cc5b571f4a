/** `berth policies validate`: a policies.yaml checked as the live reload checks it. */
import { formatYamlError, loadPoliciesFile } from '../policies/policies.js';
import type { CliIO } from './io.js';

export function validateAction(file: string, io: CliIO): void {
  const loaded = loadPoliciesFile(file);
  if (loaded.ok) {
    const classes = [...loaded.policies.runtimeClasses.keys()].join(', ');
    io.out(`${file}: valid (${loaded.policies.runtimeClasses.size} runtime classes: ${classes})\n`);
    io.exit(0);
    return;
  }
  for (const e of loaded.errors) io.err(`${formatYamlError(e)}\n`);
  io.err(`${file}: ${loaded.errors.length} error(s); the policy was not applied\n`);
  io.exit(2);
}
