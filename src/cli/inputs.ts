/** Reads Kubernetes objects from files and folders (YAML or JSON, multi-document, kind: List). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { KubeObject } from '../kube/objects.js';
import { isObject } from '../kube/objects.js';
import { parseYamlDocuments, type SourcePos, type YamlDoc, type YamlError } from '../util/yaml-source.js';

export interface SourcedObject {
  object: KubeObject;
  pos: SourcePos;
  /** The parsed document, to place schema errors on their line. */
  source?: YamlDoc;
}

export type InputLoad = { ok: true; objects: SourcedObject[] } | { ok: false; errors: YamlError[] };

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

function listFiles(path: string, errors: YamlError[]): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    errors.push({ file: path, line: 0, col: 0, message: 'no such file or directory' });
    return [];
  }
  if (st.isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = join(path, e.name);
      if (e.isDirectory()) return listFiles(full, errors);
      return EXTENSIONS.has(extname(e.name)) && e.name !== 'kustomization.yaml' ? [full] : [];
    });
}

function expand(value: unknown, pos: SourcePos, errors: YamlError[], source?: YamlDoc): SourcedObject[] {
  if (!isObject(value)) {
    errors.push({ ...pos, message: 'expected a Kubernetes object (a mapping with apiVersion and kind)' });
    return [];
  }
  if (value.kind === 'List' && Array.isArray(value.items))
    return value.items.flatMap((i) => expand(i, pos, errors));
  if (typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
    errors.push({ ...pos, message: 'object lacks apiVersion or kind' });
    return [];
  }
  return [source ? { object: value, pos, source } : { object: value, pos }];
}

export function loadObjects(paths: readonly string[]): InputLoad {
  const errors: YamlError[] = [];
  const objects: SourcedObject[] = [];
  for (const file of paths.flatMap((p) => listFiles(p, errors))) {
    const parsed = parseYamlDocuments(readFileSync(file, 'utf8'), file);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    for (const d of parsed.docs) objects.push(...expand(d.value, d.pos, errors, d));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, objects };
}
