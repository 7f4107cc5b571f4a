/** Line-numbered YAML: parse documents and map JSON paths back to line and column. */
import {
  LineCounter,
  parseAllDocuments,
  isMap,
  isSeq,
  isPair,
  isScalar,
  type Document,
  type Node,
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

export type YamlParse = { ok: true; docs: YamlDoc[] } | { ok: false; errors: YamlError[] };

export function parseYamlDocuments(text: string, file: string): YamlParse {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const errors: YamlError[] = [];
  for (const doc of list) {
    for (const e of [...doc.errors]) {
      const p = lines.linePos(e.pos[0]);
      errors.push({ file, line: p.line, col: p.col, message: e.message.split('\n')[0] ?? e.message });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const out: YamlDoc[] = [];
  for (const doc of list) {
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const start = doc.contents?.range[0] ?? 0;
    const p = lines.linePos(start);
    out.push({ value, doc, lines, file, pos: { file, line: p.line, col: p.col } });
  }
  return { ok: true, docs: out };
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
