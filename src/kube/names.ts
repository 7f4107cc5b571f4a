/**
 * Names, namespaces, label and annotation keys and label values as the API server validates them
 * (k8s.io/apimachinery pkg/util/validation and pkg/api/validation ValidateObjectMeta), with its
 * messages, so that an unrendered template (`name: "{{ .Release.Name }}-web"`) is refused offline as
 * `kubectl apply` would refuse it, not judged as if it were an object. Pure.
 */

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** Why `value` is not a DNS-1123 subdomain (most kinds' names), or undefined. */
export function subdomainProblem(value: string): string | undefined {
  if (value.length > 253) return 'must be no more than 253 characters';
  return SUBDOMAIN.test(value) ? undefined : SUBDOMAIN_MSG;
}

/** Every reason `value` is not a DNS-1123 label (IsDNS1123Label), in order. */
export function labelNameProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL.test(value)) out.push(SUBDOMAIN.test(value) ? 'must not contain dots' : LABEL_MSG);
  return out;
}

/** Why `value` is not a DNS-1123 label (a namespace's name), or undefined: the first reason. */
export function labelNameProblem(value: string): string | undefined {
  if (value.length <= 63 && LABEL.test(value)) return undefined;
  return labelNameProblems(value)[0];
}

/** Why `key` is not a qualified name (label and annotation keys: `[prefix/]name`), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2)
    return `a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`;
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0) return 'prefix part must be non-empty';
    const bad = subdomainProblem(prefix);
    if (bad !== undefined) return `prefix part ${bad}`;
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  return QUALIFIED_NAME.test(name) ? undefined : QUALIFIED_MSG;
}

/** Why `value` is not a label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters';
  return LABEL_VALUE.test(value) ? undefined : VALUE_MSG;
}

interface Meta {
  name?: unknown;
  namespace?: unknown;
  labels?: unknown;
  annotations?: unknown;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));

/**
 * Every review validates its metadata, and the same label keys, values and names come back review after
 * review: each check remembers the strings it found valid (a bounded set), so a repeat costs a lookup,
 * not the regexes.
 */
const KNOWN_MAX = 5_000;

function remembered(check: (v: string) => string | undefined): (v: string) => string | undefined {
  const valid = new Set<string>();
  return (value) => {
    if (valid.has(value)) return undefined;
    const problem = check(value);
    if (problem === undefined) {
      if (valid.size >= KNOWN_MAX) valid.clear();
      valid.add(value);
    }
    return problem;
  };
}

const nameChecked = remembered(subdomainProblem);
const namespaceChecked = remembered(labelNameProblem);
const keyChecked = remembered(qualifiedNameProblem);
const valueChecked = remembered(labelValueProblem);
const annotationChecked = remembered((k) => qualifiedNameProblem(k.toLowerCase()));

/** The API server's words for the first invalid field of labels and annotations under `path`. */
function mapProblem(path: string, meta: Meta): string | undefined {
  const labels = (meta.labels ?? {}) as Record<string, unknown>;
  for (const k in labels) {
    const key = keyChecked(k);
    if (key !== undefined) return `${path}.labels: Invalid value: ${JSON.stringify(k)}: ${key}`;
    const v = str(labels[k]);
    const value = valueChecked(v);
    if (value !== undefined) return `${path}.labels: Invalid value: ${JSON.stringify(v)}: ${value}`;
  }
  for (const k in meta.annotations ?? {}) {
    const key = annotationChecked(k);
    if (key !== undefined) return `${path}.annotations: Invalid value: ${JSON.stringify(k)}: ${key}`;
  }
  return undefined;
}

/**
 * The first thing ValidateObjectMeta refuses in an object's metadata (name, namespace, labels,
 * annotation keys), in the API server's words; `templatePath` names a pod template's metadata too.
 */
export function metadataProblem(
  meta: Meta | undefined,
  template?: { path: string; meta: Meta | undefined },
): string | undefined {
  const m = meta ?? {};
  if (typeof m.name === 'string' && m.name !== '') {
    const bad = nameChecked(m.name);
    if (bad !== undefined) return `metadata.name: Invalid value: ${JSON.stringify(m.name)}: ${bad}`;
  }
  if (typeof m.namespace === 'string' && m.namespace !== '') {
    const bad = namespaceChecked(m.namespace);
    if (bad !== undefined) return `metadata.namespace: Invalid value: ${JSON.stringify(m.namespace)}: ${bad}`;
  }
  return mapProblem('metadata', m) ?? (template ? mapProblem(template.path, template.meta ?? {}) : undefined);
}
