/** Line-numbered YAML: parse documents and map JSON paths back to line and column. */
import { plainYamlError } from './yaml-errors.js';
import {
  LineCounter,
  parseAllDocuments,
  isMap,
  isSeq,
  isPair,
  isScalar,
  isCollection,
  visit,
  type Document,
  type Node,
  type Tags,
} from 'yaml';

export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export interface YamlDoc {
  value: unknown;
  doc: Document.Parsed;
  lines: LineCounter;
  file: string;
  pos: SourcePos;
}

export interface YamlError {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** notices: what was read differently from how it is written (a duplicate key: the last value wins). */
export type YamlParse =
  { ok: true; docs: YamlDoc[]; notices: YamlError[] } | { ok: false; errors: YamlError[] };

/** YAML 1.1 types go-yaml v2 leaves as strings when it decodes into JSON: timestamps, sexagesimals. */
function stringInKubectl(t: Tags[number]): boolean {
  if (typeof t === 'string') return t === 'timestamp' || t === 'intTime' || t === 'floatTime';
  return t.tag === 'tag:yaml.org,2002:timestamp' || (t as { format?: string }).format === 'TIME';
}

/**
 * How kubectl reads a manifest (sigs.k8s.io/yaml over go-yaml v2): YAML 1.1 scalars — `0755` is octal
 * (493), unquoted `yes`/`on`/`y` are booleans — but a timestamp or a sexagesimal number (`1:20`) stays
 * the string it was written as. Berth's own documents (policies.yaml) are read as YAML 1.2.
 */
export const KUBECTL_YAML = {
  version: '1.1',
  customTags: (tags: Tags): Tags => tags.filter((t) => !stringInKubectl(t)),
} as const;

/** How kubectl will read what Berth writes: with YAML 1.1 quoting (`"yes"`, `"0755"` stay strings). */
export const KUBECTL_YAML_OUT = { version: '1.1' } as const;

/** Line `n` (1-based) of `text`. */
function lineAt(text: string, lines: LineCounter, n: number): string {
  const start = lines.lineStarts[n - 1] ?? 0;
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end);
}

/**
 * What is wrong with a parsed document, if anything: its first error (the cause; the parser's later
 * ones follow from it), or a mapping key that is a collection.
 */
function documentError(
  doc: Document.Parsed,
  lines: LineCounter,
  mayHaveCollectionKeys: boolean,
  text: string,
): { line: number; col: number; message: string } | undefined {
  const first = doc.errors[0];
  if (first) {
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more errors after it)` : '';
    const at = lines.linePos(first.pos[0]);
    const e = plainYamlError(first.code, first.message, at, lineAt(text, lines, at.line));
    return { ...e, message: `${e.message}${more}` };
  }
  const key = mayHaveCollectionKeys ? collectionKey(doc) : undefined;
  if (key === undefined) return undefined;
  return { ...lines.linePos(key), message: 'a mapping key that is itself a mapping or a list' };
}

export function parseYamlDocuments(
  text: string,
  file: string,
  dialect: 'yaml-1.2' | 'kubectl' = 'yaml-1.2',
): YamlParse {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    // kubectl's decoder keeps the last of duplicate keys; Berth's own documents refuse them.
    uniqueKeys: dialect !== 'kubectl',
    ...(dialect === 'kubectl' ? KUBECTL_YAML : {}),
  });
  const list = Array.isArray(docs) ? docs : [];
  const errors: YamlError[] = [];
  // A mapping key that is a collection needs `{…}:`, `[…]:` or `? `; most files have none, and walking
  // every node to look costs a tenth of the parse.
  const mayHaveCollectionKeys = /[}\]]\s*:|^\s*\?\s|\{\{/m.test(text);
  for (const doc of list) {
    const e = documentError(doc, lines, mayHaveCollectionKeys, text);
    if (e) errors.push({ file, ...e });
  }
  if (errors.length > 0) return { ok: false, errors };
  const notices = dialect === 'kubectl' ? duplicateKeys(list, lines, file) : [];
  const out: YamlDoc[] = [];
  for (const doc of list) {
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const start = doc.contents?.range[0] ?? 0;
    const p = lines.linePos(start);
    out.push({ value, doc, lines, file, pos: { file, line: p.line, col: p.col } });
  }
  return { ok: true, docs: out, notices };
}

/** Each mapping key that appears again in its mapping: kubectl reads the last value. */
function duplicateKeys(docs: readonly Document.Parsed[], lines: LineCounter, file: string): YamlError[] {
  const out: YamlError[] = [];
  for (const doc of docs)
    visit(doc, {
      Map(_, map) {
        const seen = new Set<unknown>();
        for (const pair of map.items) {
          const key = isScalar(pair.key) ? pair.key.value : pair.key;
          if (!seen.has(key)) {
            seen.add(key);
            continue;
          }
          const at = lines.linePos(isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0);
          out.push({
            file,
            ...at,
            message: `duplicate key ${String(key)}: the last value is used, as kubectl's decoder does`,
          });
        }
      },
    });
  return out;
}

/** The offset of a mapping key that is a collection (`{{ x }}: …`, a template read as YAML), if any. */
function collectionKey(doc: Document.Parsed): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        at = pair.key.range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return at;
}

/**
 * The position of the node at a JSON pointer (ajv's instancePath), or of its nearest existing parent;
 * with atKey, the position of the mapping key that holds it (for unknown or missing fields).
 */
export function positionOf(source: YamlDoc, pointer: string, atKey = false): SourcePos {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = source.doc.contents;
  let found: Node | undefined = isNodeish(node) ? node : undefined;
  for (const seg of segments) {
    const next = child(node, seg);
    if (next === undefined) break;
    node = next.value;
    found = atKey && next.key ? next.key : next.at;
  }
  const offset = found?.range?.[0] ?? 0;
  const p = source.lines.linePos(offset);
  return { file: source.file, line: p.line, col: p.col };
}

function isNodeish(n: unknown): n is Node {
  return isMap(n) || isSeq(n) || isScalar(n);
}

function child(node: unknown, seg: string): { value: unknown; at: Node; key?: Node } | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === seg) {
        return { value: item.value, at: isNodeish(item.value) ? item.value : item.key, key: item.key };
      }
    }
    return undefined;
  }
  if (isSeq(node)) {
    const item: unknown = node.items[Number(seg)];
    return isNodeish(item) ? { value: item, at: item } : undefined;
  }
  return undefined;
}
