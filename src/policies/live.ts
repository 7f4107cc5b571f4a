/**
 * policies.yaml, live: read from the mounted file, re-read when it changes, validated before it is
 * used. A bad file is refused with its line and column, and so is one that drops what the running
 * policy has without saying so (shrink.ts); the last good policy stays in force and the
 * refusal stays visible (the `refused` field, which readiness, metrics, logs and Events report).
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { formatYamlError, loadPolicies, type Policies } from './policies.js';
import { unstatedRemovals } from './shrink.js';

export type ReloadResult = { applied: true; warnings: string[] } | { applied: false; errors: string[] };

export class LivePolicies {
  private good: Policies;
  private lastText: string | undefined;
  /** Why the file on disk is refused, while it is. */
  refused: string[] | undefined;
  private readonly listeners: ((r: ReloadResult) => void)[] = [];

  constructor(
    initial: Policies,
    private readonly file?: string,
    private readonly read: (file: string) => string = (f) => readFileSync(f, 'utf8'),
  ) {
    this.good = initial;
    if (file !== undefined) {
      try {
        this.lastText = read(file);
      } catch {
        this.lastText = undefined;
      }
    }
  }

  get current(): Policies {
    return this.good;
  }

  /** Calls `listener` after each reload; returns what stops it. */
  onReload(listener: (r: ReloadResult) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Re-reads the file; returns undefined when its content did not change. */
  reload(): ReloadResult | undefined {
    if (this.file === undefined) return undefined;
    let text: string;
    try {
      text = this.read(this.file);
    } catch (e) {
      return this.settle({ applied: false, errors: [`${this.file}: ${(e as Error).message}`] }, undefined);
    }
    if (text === this.lastText) return undefined;
    const loaded = loadPolicies(text, this.file);
    if (!loaded.ok) return this.settle({ applied: false, errors: loaded.errors.map(formatYamlError) }, text);
    const shrunk = unstatedRemovals(this.good.doc, loaded.policies.doc);
    if (shrunk.length > 0)
      return this.settle({ applied: false, errors: shrunk.map((m) => `${this.file ?? ''}: ${m}`) }, text);
    this.good = loaded.policies;
    return this.settle({ applied: true, warnings: loaded.warnings.map(formatYamlError) }, text);
  }

  private settle(r: ReloadResult, text: string | undefined): ReloadResult {
    this.lastText = text;
    this.refused = r.applied ? undefined : r.errors;
    for (const l of this.listeners) l(r);
    return r;
  }

  /** Polls the file: a ConfigMap volume updates by swapping a symlink, which fs.watch can miss. */
  watch(intervalMs = 2000): () => void {
    const file = this.file;
    if (file === undefined) return () => undefined;
    const listener = (): void => {
      this.reload();
    };
    watchFile(file, { interval: intervalMs, persistent: false }, listener);
    return () => {
      unwatchFile(file, listener);
    };
  }
}
