/** Reads Kubernetes objects from files and folders (YAML or JSON, multi-document, kind: List). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { KubeObject } from '../kube/objects.js';
import { isObject } from '../kube/objects.js';
import {
  parseYamlDocuments,
  positionOf,
  type SourcePos,
  type YamlDoc,
  type YamlError,
} from '../util/yaml-source.js';

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

/**
 * `kind: List` and the typed lists `kubectl get -o yaml` writes (`PodDisruptionBudgetList`,
 * `StatefulSetList`, any `<Kind>List` with `items`): each item is an object of its own. An item
 * that names no kind or apiVersion takes them from its typed list, as the API does.
 */
function listItems(value: Record<string, unknown>): unknown[] | undefined {
  const kind = value.kind;
  if (typeof kind !== 'string' || !kind.endsWith('List') || !Array.isArray(value.items)) return undefined;
  const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
  return value.items.map((item: unknown) =>
    itemKind !== undefined && isObject(item)
      ? { apiVersion: value.apiVersion, kind: itemKind, ...item }
      : item,
  );
}

function expand(
  value: unknown,
  pos: SourcePos,
  errors: YamlError[],
  source?: YamlDoc,
  pointer = '',
): SourcedObject[] {
  if (!isObject(value)) {
    errors.push({ ...pos, message: 'expected a Kubernetes object (a mapping with apiVersion and kind)' });
    return [];
  }
  const items = listItems(value);
  if (items)
    return items.flatMap((item, i) => {
      const at = `${pointer}/items/${i}`;
      return expand(item, source ? positionOf(source, at) : pos, errors, source, at);
    });
  if (typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
    errors.push({ ...pos, message: 'object lacks apiVersion or kind' });
    return [];
  }
  return [source && pointer === '' ? { object: value, pos, source } : { object: value, pos }];
}

export function loadObjects(paths: readonly string[]): InputLoad {
  const errors: YamlError[] = [];
  const objects: SourcedObject[] = [];
  for (const file of paths.flatMap((p) => listFiles(p, errors))) {
    const parsed = parseYamlDocuments(readFileSync(file, 'utf8'), file, 'kubectl');
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    for (const d of parsed.docs) objects.push(...expand(d.value, d.pos, errors, d));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, objects };
}
