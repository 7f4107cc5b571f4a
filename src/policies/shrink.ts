/**
 * A policies.yaml that would take away what the running policy has — a top-level section, a runtime
 * class, a rule's entry or one of its overrides — without saying so. A file cut short (a truncated
 * ConfigMap, a bad merge) is often still valid YAML, and its missing parts would fall back to defaults
 * silently: an override that denied a workload would just disappear. A removal is stated by writing
 * the section empty (`rules: {}`) or by naming what goes under `removed:`.
 */
import type { PoliciesDocument } from './schema/policies-schema.js';

type Section = keyof PoliciesDocument;

const isEmpty = (v: unknown): boolean =>
  v === null || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v).length === 0);

function overridesOf(doc: PoliciesDocument, rule: string): string[] {
  const cfg = (doc.rules as Record<string, { overrides?: unknown[] }> | undefined)?.[rule];
  return (cfg?.overrides ?? []).map((o) => JSON.stringify(o));
}

function missingSections(running: PoliciesDocument, next: PoliciesDocument): string[] {
  return (Object.keys(running) as Section[])
    .filter((section) => section !== 'removed' && !(section in next))
    .map(
      (section) =>
        `section ${section} is missing (the running policy has it); write it empty (e.g. ${section}: {}) to clear it`,
    );
}

function missingClasses(running: PoliciesDocument, next: PoliciesDocument): string[] {
  if (isEmpty(next.runtimeClasses)) return [];
  const gone = new Set(next.removed?.runtimeClasses ?? []);
  return Object.keys(running.runtimeClasses)
    .filter((name) => !(name in next.runtimeClasses) && !gone.has(name))
    .map((name) => `runtime class ${name} is missing; list it under removed.runtimeClasses to remove it`);
}

function missingRules(running: PoliciesDocument, next: PoliciesDocument): string[] {
  if (next.rules === undefined || isEmpty(next.rules)) return [];
  const rules = next.rules as Record<string, unknown>;
  const goneRules = new Set<string>(next.removed?.rules ?? []);
  const goneOverrides = new Set<string>(next.removed?.overrides ?? []);
  const out: string[] = [];
  for (const rule of Object.keys(running.rules ?? {})) {
    if (!(rule in rules)) {
      if (!goneRules.has(rule))
        out.push(`rule ${rule} is missing; list it under removed.rules to return it to its default`);
      continue;
    }
    const kept = new Set(overridesOf(next, rule));
    const lost = overridesOf(running, rule).filter((o) => !kept.has(o)).length;
    if (lost > 0 && !goneOverrides.has(rule))
      out.push(`rule ${rule} loses ${lost} override(s); list ${rule} under removed.overrides to change them`);
  }
  return out;
}

/** What `next` drops of `running` without stating it; empty when the reload may go ahead. */
export function unstatedRemovals(running: PoliciesDocument, next: PoliciesDocument): string[] {
  return [
    ...missingSections(running, next),
    ...missingClasses(running, next),
    ...missingRules(running, next),
  ];
}
