/**
 * docs/reference/ is what the sources make it (scripts/reference/pages.ts): a rule, a flag, a metric, a
 * schema or CRD field changed without `npm run gen:reference` fails here, naming the stale page.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referencePages } from '../scripts/reference/pages.js';

const pages = referencePages(process.cwd());

describe('docs/reference', () => {
  it.each([...pages.keys()])('%s is current (npm run gen:reference)', (path) => {
    expect(existsSync(path), `${path} is missing: run npm run gen:reference`).toBe(true);
    expect(readFileSync(path, 'utf8'), `${path} is stale: run npm run gen:reference`).toBe(pages.get(path));
  });

  it('holds no page the generator does not make', () => {
    const made = new Set([...pages.keys()].map((p) => p.replace('docs/reference/', '')));
    expect(readdirSync('docs/reference').filter((f) => !made.has(f) && f !== 'README.md')).toEqual([]);
  });

  it('documents every rule, every command and every metric', () => {
    expect(pages.get('docs/reference/rules.md')).toContain('`placement-unsatisfiable`');
    expect(pages.get('docs/reference/cli.md')).toContain('## berth nodeclass describe');
    expect(pages.get('docs/reference/metrics.md')).toContain('`karpenter_nodepools_limit`');
    expect(pages.get('docs/reference/crds.md')).toContain('## NodeOverlay (`karpenter.sh/v1alpha1`)');
  });
});

/** Markdown files of the repository's docs (README, CHANGELOG, docs/, deploy/ READMEs). */
function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return ['node_modules', 'dist', '.git'].includes(e.name) ? [] : markdownFiles(p);
    return e.name.endsWith('.md') ? [p] : [];
  });
}

describe('the docs link to what exists', () => {
  it('every relative link of every Markdown file resolves to a file or folder', () => {
    const broken: string[] = [];
    for (const file of [...markdownFiles('docs'), ...markdownFiles('deploy'), 'README.md', 'CHANGELOG.md']) {
      // Links in code (inline or fenced) are not links.
      const text = readFileSync(file, 'utf8')
        .replace(/```[\s\S]*?```/g, '')
        .replace(/`[^`\n]*`/g, '');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = m[1] ?? '';
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(join(dirname(file), target))) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
