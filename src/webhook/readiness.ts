/** /readyz as the API server does it: named checks, `[+]`/`[-]` lines, and a warning that does not fail. */
export interface Check {
  name: string;
  ok: boolean;
  /** A warning keeps the check passing but shows in the detail (a refused policies.yaml). */
  warning?: string;
  detail?: string;
}

/** policies.yaml on disk refused: a warning, not a failure — the last good policy is in force. */
export function policiesCheck(refused: readonly string[] | undefined): Check {
  return refused
    ? {
        name: 'policies',
        ok: true,
        warning: `policies.yaml refused, last good policy in force: ${refused.join('; ')}`,
      }
    : { name: 'policies', ok: true };
}

export function renderChecks(checks: readonly Check[]): { ready: boolean; text: string } {
  const ready = checks.every((c) => c.ok);
  const lines = checks.map((c) => {
    const mark = !c.ok ? '[-]' : c.warning !== undefined ? '[!]' : '[+]';
    const note = c.warning ?? c.detail;
    return `${mark}${c.name} ${c.ok ? 'ok' : 'failed'}${note === undefined ? '' : `: ${note}`}`;
  });
  lines.push(ready ? 'readyz check passed' : 'readyz check failed');
  return { ready, text: `${lines.join('\n')}\n` };
}
