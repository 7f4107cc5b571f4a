/**
 * Reads Kubernetes objects from files and folders as kubectl reads them: YAML (1.1 scalars, several
 * documents) or JSON, also a stream of JSON objects one after another; `kind: List` and typed lists
 * (`items: null` is an empty list); a duplicate key keeps its last value, with a notice. A folder run
 * skips, with a notice each, files that hold no Kubernetes object at all (an IAM policy, a Grafana
 * dashboard) and files matching --exclude; a file named on its own is always read as a manifest.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { KubeObject } from '../kube/objects.js';
import { isObject } from '../kube/objects.js';
import { shapeIssue } from '../admission/object-shape.js';
import { pointerToPath } from '../policies/schema/validate.js';
import { jsonStream } from './json-stream.js';
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

/** notices: files skipped and things read differently from how they are written (for stderr). */
export type InputLoad =
  { ok: true; objects: SourcedObject[]; notices: YamlError[] } | { ok: false; errors: YamlError[] };

export interface LoadOptions {
  /** Globs (`*`, `**`, `?`) of files a folder run leaves out, matched against the path and its name. */
  readonly exclude?: readonly string[];
}

/** A glob as a regular expression: `**` crosses folders, `*` and `?` do not. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*' && glob.charAt(i + 1) === '*') {
      re += '.*';
      i++;
      if (glob.charAt(i + 1) === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Kustomize's own files: instructions to kustomize, not objects (`kubectl kustomize` renders them). */
const KUSTOMIZE = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** `-f -`: the objects come from standard input. */
export const STDIN = '-';

interface Listed {
  file: string;
  /** Found by walking a folder (not named on the command line). */
  inFolder: boolean;
}

function listFiles(path: string, errors: YamlError[], skip: (file: string) => boolean): Listed[] {
  if (path === STDIN) return [{ file: STDIN, inFolder: false }];
  if (KUSTOMIZE.has(basename(path))) return [];
  let st;
  try {
    st = statSync(path);
  } catch {
    errors.push({ file: path, line: 0, col: 0, message: 'no such file or directory' });
    return [];
  }
  if (st.isFile()) return [{ file: path, inFolder: false }];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = join(path, e.name);
      if (e.isDirectory()) return listFiles(full, errors, skip).map((l) => ({ ...l, inFolder: true }));
      if (!EXTENSIONS.has(extname(e.name)) || KUSTOMIZE.has(e.name) || skip(full)) return [];
      return [{ file: full, inFolder: true }];
    });
}

/**
 * `kind: List` and the typed lists `kubectl get -o yaml` writes (`PodDisruptionBudgetList`,
 * `StatefulSetList`, any `<Kind>List` with `items`): each item is an object of its own. An item
 * that names no kind or apiVersion takes them from its typed list, as the API does.
 */
function listItems(value: Record<string, unknown>): unknown[] | undefined {
  const kind = value.kind;
  if (typeof kind !== 'string' || !kind.endsWith('List')) return undefined;
  // `items: null` (an empty `kubectl get -o yaml`) is an empty list.
  if (value.items === null && 'items' in value) return [];
  if (!Array.isArray(value.items)) return undefined;
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
  const missing = ['apiVersion', 'kind'].filter((k) => typeof value[k] !== 'string' || value[k] === '');
  if (missing.length > 0) {
    const what = missing.map((k) => (value[k] === undefined ? `lacks ${k}` : `${k} is not a string`));
    errors.push({ ...pos, message: `object ${what.join(' and ')}` });
    return [];
  }
  dropNulls(value);
  const shape = shapeIssue(value.kind as string, value);
  if (shape) {
    const at = source ? positionOf(source, `${pointer}${shape.pointer}`) : pos;
    const path = pointerToPath(shape.pointer);
    errors.push({ ...at, message: `${path === '' ? 'the object' : path}: ${shape.message}` });
    return [];
  }
  return [source && pointer === '' ? { object: value, pos, source } : { object: value, pos }];
}

/**
 * `field: null` in a manifest is the field left out, as the API server decodes it (a PDB's `selector:
 * null`, a `spec.template.metadata: null` from a generator); so it is read, never a crash further on.
 */
function dropNulls(value: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(value)) {
    if (v === null) Reflect.deleteProperty(value, k);
    else if (Array.isArray(v)) {
      for (const item of v) if (isObject(item)) dropNulls(item);
    } else if (isObject(v)) dropNulls(v);
  }
}

/**
 * A file's text, or why it has none: binary data (a NUL byte or bytes that are not UTF-8) is one
 * error for the whole file, not one per line the YAML parser would trip over.
 */
function readText(file: string): { text: string } | { error: string } {
  let bytes: Buffer;
  try {
    bytes = file === STDIN ? readFileSync(0) : readFileSync(file);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const nul = bytes.subarray(0, 65_536).indexOf(0);
  if (nul >= 0) return { error: `not a text file (a NUL byte at offset ${nul}); expected YAML or JSON` };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { error: 'not a text file (not UTF-8); expected YAML or JSON' };
  }
}

/**
 * Go template actions (Helm): a line that starts with one (`{{- if … }}`), or a value that is one
 * (`replicas: {{ .Values.n }}`). A file with them is a template only if it does not read as YAML, or
 * reads with a template as a mapping key; templates inside strings (Prometheus rule annotations, block
 * scalars) leave the YAML sound and are left alone.
 */
const TEMPLATE_ACTION = /^\s*(?:-\s+)?(?:[\w./-]+:\s+)?\{\{/m;

function templateAt(text: string): { line: number; col: number } | undefined {
  const m = TEMPLATE_ACTION.exec(text);
  if (!m) return undefined;
  const start = m.index + m[0].length - 2;
  const before = text.slice(0, start);
  return { line: before.split('\n').length, col: start - before.lastIndexOf('\n') };
}

/**
 * Whether a file looks like a manifest at all: some document has apiVersion, kind or metadata. One
 * that has none (an IAM policy, a Grafana dashboard, a values file) is clearly something else.
 */
function looksLikeManifest(values: readonly unknown[]): boolean {
  return values.some((v) => isObject(v) && ('apiVersion' in v || 'kind' in v || 'metadata' in v));
}

function excluded(globs: readonly string[]): (file: string) => boolean {
  const res = globs.map(globRegExp);
  return (file) => res.some((re) => re.test(file) || re.test(basename(file)));
}

export function loadObjects(paths: readonly string[], opts: LoadOptions = {}): InputLoad {
  const errors: YamlError[] = [];
  const notices: YamlError[] = [];
  const objects: SourcedObject[] = [];
  const skip = excluded(opts.exclude ?? []);
  for (const { file, inFolder } of paths.flatMap((p) => listFiles(p, errors, skip))) {
    const shown = file === STDIN ? '<stdin>' : file;
    const read = readText(file);
    if ('error' in read) {
      errors.push({ file: shown, line: 1, col: 1, message: read.error });
      continue;
    }
    const stream = jsonStream(read.text, shown);
    const parsed = stream ?? parseYamlDocuments(read.text, shown, 'kubectl');
    if (!parsed.ok) {
      const template = templateAt(read.text);
      if (template)
        errors.push({
          file: shown,
          ...template,
          message:
            'a Helm or Go template ({{ … }}), not a manifest: render it first (helm template …) and check what it renders',
        });
      else errors.push(...parsed.errors);
      continue;
    }
    if (inFolder && parsed.docs.length > 0 && !looksLikeManifest(parsed.docs.map((d) => d.value))) {
      notices.push({
        file: shown,
        line: 1,
        col: 1,
        message: 'not a Kubernetes manifest (no apiVersion, kind or metadata); skipped',
      });
      continue;
    }
    notices.push(...parsed.notices);
    for (const d of parsed.docs)
      objects.push(
        ...(stream ? expand(d.value, d.pos, errors) : expand(d.value, d.pos, errors, d as YamlDoc)),
      );
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, objects, notices };
}
