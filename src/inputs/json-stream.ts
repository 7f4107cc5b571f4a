/**
 * A stream of JSON values one after another (`{…}{…}` or one per line), as kubectl's decoder reads a
 * file that starts with `{`. A single value, or text that is not such a stream, is left to the YAML
 * reader (JSON is YAML), which also places its errors on their line.
 */
import type { SourcePos, YamlError } from '../util/yaml-source.js';

export interface StreamDoc {
  value: unknown;
  pos: SourcePos;
}

/** The offsets where each top-level JSON value ends, or undefined if the text is not a stream of objects. */
function valueEnds(text: string): number[] | undefined {
  const ends: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) ends.push(i + 1);
    } else if (depth === 0 && !/\s/.test(c)) return undefined;
  }
  return depth === 0 ? ends : undefined;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') };
}

export function jsonStream(
  text: string,
  file: string,
): { ok: true; docs: StreamDoc[]; notices: YamlError[] } | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  const ends = valueEnds(text);
  if (ends === undefined || ends.length < 2) return undefined;
  const docs: StreamDoc[] = [];
  let start = 0;
  for (const end of ends) {
    const chunk = text.slice(start, end);
    const lead = chunk.length - chunk.trimStart().length;
    let value: unknown;
    try {
      value = JSON.parse(chunk);
    } catch {
      return undefined; // let the YAML reader say where it breaks
    }
    docs.push({ value, pos: { file, ...lineCol(text, start + lead) } });
    start = end;
  }
  return { ok: true, docs, notices: [] };
}
