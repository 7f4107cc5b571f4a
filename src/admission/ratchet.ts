/**
 * Existing violations do not block unrelated updates (Kyverno's allowExistingViolations, the API
 * server's validation ratcheting): on UPDATE, an enforced finding that the old object already had,
 * word for word, is reported as a warning instead of a denial. A change that makes things worse —
 * scaling down to an undrainable count, say — produces a new message and is denied.
 */
import type { Verdict } from '../policies/engine.js';
import { WARNING_MAX } from '../policies/engine.js';

export const PREEXISTING = ' (already so before this update)';

function shortened(message: string): string {
  const text = message.replace(/^(\[[a-z-]+\]) [^:]+: /, '$1 ');
  const max = WARNING_MAX - PREEXISTING.length;
  return `${text.length <= max ? text : `${text.slice(0, max - 1)}…`}${PREEXISTING}`;
}

export function ratchet(current: Verdict, old: Verdict): Verdict {
  const before = new Set(old.violations.filter((v) => v.mode === 'enforce').map((v) => v.message));
  const warnings = [...current.warnings];
  const violations = current.violations.map((v) => {
    if (v.mode !== 'enforce' || !before.has(v.message)) return v;
    warnings.push(shortened(v.message));
    return { ...v, mode: 'warn' as const };
  });
  const allowed = !violations.some((v) => v.mode === 'enforce');
  return { ...current, violations, warnings, allowed };
}
