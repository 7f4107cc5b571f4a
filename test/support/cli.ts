/** The CLI as a test runs it: argv in, exit code and both streams out, on a fixed clock; and a folder of files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';

export async function berth(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let code = 0;
  await runCli(args, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    exit: (c) => (code = c),
    clock: () => new Date('2026-11-21T00:00:00Z'),
  });
  return { code, out, err };
}

/** A new temporary folder holding these files (name → text). */
export function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
