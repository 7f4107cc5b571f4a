/** What a read-only ClusterRole file grants: resources by API group, every rule asserted to be `list` only. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parse } from 'yaml';

export function listGrants(file: string): Record<string, string[]> {
  const role = parse(readFileSync(file, 'utf8')) as {
    kind: string;
    rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  };
  expect(role.kind).toBe('ClusterRole');
  const granted: Record<string, string[]> = {};
  for (const r of role.rules) {
    expect(r.verbs).toEqual(['list']);
    for (const g of r.apiGroups) granted[g] = [...(granted[g] ?? []), ...r.resources];
  }
  return granted;
}
