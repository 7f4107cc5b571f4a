/** A JSON Schema (or a CRD's openAPIV3Schema) as rows of field path, type and what it allows. */
interface Node {
  type?: string | string[];
  const?: unknown;
  enum?: readonly unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  format?: string;
  description?: string;
  required?: readonly string[];
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  propertyNames?: Node;
  anyOf?: readonly Node[];
  oneOf?: readonly Node[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-validations'?: readonly { message?: string }[];
}

export interface SchemaRow {
  readonly path: string;
  readonly type: string;
  readonly rules: string;
  /** The field's description, its first sentence, on one line. */
  readonly meaning: string;
}

/** A description's first sentence (a CRD's run to paragraphs), on one line, safe in a table cell. */
function meaningOf(n: Node): string {
  const text = (n.description ?? '').replace(/\s+/g, ' ').trim();
  const end = text.search(/\.(\s|$)/);
  const first = end >= 0 ? text.slice(0, end + 1) : text;
  return (first.length > 200 ? `${first.slice(0, 199)}…` : first).replaceAll('|', '\\|');
}

function typeOf(n: Node): string {
  if (n['x-kubernetes-int-or-string'] === true) return 'int or string';
  if (n.const !== undefined) return 'constant';
  if (n.enum) return 'enum';
  const t = Array.isArray(n.type) ? n.type.join(' or ') : n.type;
  if (t) return t === 'array' && n.items ? `array of ${typeOf(n.items)}` : t;
  if (n.properties) return 'object';
  const alts = n.anyOf ?? n.oneOf;
  return alts ? alts.map(typeOf).join(' or ') : 'any';
}

function rulesOf(n: Node, required: boolean): string {
  const out: string[] = [];
  if (required) out.push('required');
  if (n.const !== undefined) out.push(`\`${JSON.stringify(n.const)}\``);
  if (n.enum) out.push(n.enum.map((v) => `\`${String(v)}\``).join(', '));
  if (n.minimum !== undefined) out.push(`≥ ${n.minimum}`);
  if (n.maximum !== undefined) out.push(`≤ ${n.maximum}`);
  if (n.minItems !== undefined) out.push(`at least ${n.minItems} item${n.minItems === 1 ? '' : 's'}`);
  if (n.maxItems !== undefined) out.push(`at most ${n.maxItems} items`);
  if (n.minLength !== undefined) out.push(`at least ${n.minLength} character${n.minLength === 1 ? '' : 's'}`);
  if (n.format !== undefined) out.push(`format ${n.format}`);
  if (n.pattern !== undefined) out.push(`matches \`${n.pattern.replaceAll('|', '\\|')}\``);
  if (n.propertyNames?.pattern !== undefined)
    out.push(`keys match \`${n.propertyNames.pattern.replaceAll('|', '\\|')}\``);
  if (n.propertyNames?.enum) out.push('keys: rule ids');
  for (const v of n['x-kubernetes-validations'] ?? [])
    if (v.message) out.push(v.message.replaceAll('|', '\\|'));
  return out.join('; ');
}

/** Rows for every field to `depth` levels (unlimited by default), `*` for a map's values, `[]` for items. */
export function schemaRows(schema: object, depth = Number.POSITIVE_INFINITY): SchemaRow[] {
  const rows: SchemaRow[] = [];
  const visit = (n: Node, path: string, level: number): void => {
    if (level >= depth) return;
    const required = new Set(n.required ?? []);
    for (const [key, child] of Object.entries(n.properties ?? {})) {
      const p = path === '' ? key : `${path}.${key}`;
      rows.push({
        path: p,
        type: typeOf(child),
        rules: rulesOf(child, required.has(key)),
        meaning: meaningOf(child),
      });
      descend(child, p, level + 1);
    }
  };
  const descend = (n: Node, path: string, level: number): void => {
    visit(n, path, level);
    if (typeof n.additionalProperties === 'object' && level < depth) {
      rows.push({
        path: `${path}.*`,
        type: typeOf(n.additionalProperties),
        rules: rulesOf(n.additionalProperties, false),
        meaning: meaningOf(n.additionalProperties),
      });
      descend(n.additionalProperties, `${path}.*`, level + 1);
    }
    if (n.items && (n.items.properties || n.items.additionalProperties)) descend(n.items, `${path}[]`, level);
  };
  visit(schema, '', 0);
  return rows;
}
