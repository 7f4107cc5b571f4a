import { parseAllDocuments, LineCounter } from 'yaml';
import { describe, expect, it } from 'vitest';
import { plainYamlError } from './yaml-errors.js';

/** The first error of `text` as the CLI reports it. */
function first(text: string) {
  const lines = new LineCounter();
  const [doc] = parseAllDocuments(text, { lineCounter: lines });
  const e = doc?.errors[0];
  if (!e) throw new Error('no error');
  const at = lines.linePos(e.pos[0]);
  return plainYamlError(e.code, e.message, at, text.split('\n')[at.line - 1] ?? '');
}

describe('plainYamlError', () => {
  it.each([
    [
      'a key indented between a list item and its fields',
      'spec:\n  containers:\n    - name: app\n      image: nginx\n     resources: {}\n',
      { line: 5, col: 6 },
      '`resources:` is indented 5 spaces, which matches neither the keys of the list item above nor the list itself',
    ],
    [
      'a key indented unlike its siblings',
      'metadata:\n  name: web\n labels: {}\n',
      { line: 3, col: 2 },
      '`labels:` is indented 1 space, unlike the keys beside it',
    ],
    [
      'a tab',
      'metadata:\n\tname: web\n',
      { line: 2 },
      'a tab indents this line: YAML indents with spaces only',
    ],
    [
      'two keys on a line',
      'metadata: name: web\n',
      { line: 1, col: 11 },
      'a second `key:` on the line of `metadata:`',
    ],
    [
      'an unclosed quote keeps the parser’s words, without its position',
      'a: "x\n',
      { line: 2 },
      'Missing closing "quote',
    ],
  ])('%s', (_what, text, at, message) => {
    const e = first(text);
    expect(e).toMatchObject(at);
    expect(e.message).toContain(message);
    expect(e.message).not.toMatch(/at line \d+, column \d+/);
  });
});
