/**
 * What a migration says of what it could not carry over: the object and field, what happens to it,
 * and what to do instead. `decide` needs a person's decision before the migration goes ahead (the
 * command exits 1); `note` is a change worth knowing that needs none. Pure.
 */
export type Severity = 'decide' | 'note';

export interface Finding {
  /** Kind/name (or Kind/namespace/name) of the source object. */
  readonly object: string;
  /** The field, as a kubectl-style path, when it is one field. */
  readonly field?: string;
  readonly severity: Severity;
  /** What does not carry over, and what the target does instead. */
  readonly what: string;
  /** What to do about it. */
  readonly instead: string;
}

export const decide = (
  object: string,
  field: string | undefined,
  what: string,
  instead: string,
): Finding => ({
  object,
  ...(field !== undefined ? { field } : {}),
  severity: 'decide',
  what,
  instead,
});

export const note = (object: string, field: string | undefined, what: string, instead: string): Finding => ({
  object,
  ...(field !== undefined ? { field } : {}),
  severity: 'note',
  what,
  instead,
});

/** Findings as the report prints them, decisions first, each object's together. */
export function renderFindings(findings: readonly Finding[]): string[] {
  const order = (f: Finding) => (f.severity === 'decide' ? 0 : 1);
  return [...findings]
    .sort((a, b) => order(a) - order(b) || a.object.localeCompare(b.object))
    .map((f) => {
      const where = f.field !== undefined ? `${f.object} ${f.field}` : f.object;
      const tag = f.severity === 'decide' ? 'DECIDE' : 'note  ';
      return `  ${tag} ${where}: ${f.what}\n         → ${f.instead}`;
    });
}
