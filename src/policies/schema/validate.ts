/** ajv over the schemas: errors as data, each with a dotted path (and a line when the source is known). */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { profileSchema } from './profile-schema.js';
import { strictPoliciesSchema } from './policies-schema.js';
import { QUANTITY_PATTERN } from '../../kube/quantity.js';
import { validatorOf } from '../../util/precompiled.js';
import { autoNodeClassSchema } from './auto-nodeclass-schema.js';

export interface SchemaIssue {
  /** JSON pointer of the offending value (ajv's instancePath, plus the unknown/missing property). */
  pointer: string;
  /** kubectl-style dotted path, e.g. spec.availability.minReplicas. */
  path: string;
  /** Where a person should look: the pointer to locate, and whether at its key rather than its value. */
  locate: { pointer: string; atKey: boolean };
  message: string;
}

/**
 * kubectl validates strictly (unknown fields are errors); a CRD schema may not say so itself, so the
 * offline copy closes every object that lists its properties.
 */
function closeObjects(schema: unknown, skip: ReadonlySet<string>, key = ''): unknown {
  if (Array.isArray(schema)) return schema.map((s) => closeObjects(s, skip));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? closeProps(v, skip) : v;
  if ('properties' in out && !('additionalProperties' in out) && !skip.has(key)) {
    out.additionalProperties = false;
  }
  return out;
}

function closeProps(props: unknown, skip: ReadonlySet<string>): unknown {
  if (typeof props !== 'object' || props === null) return props;
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, closeObjects(v, skip, k)]));
}

/** The schemas by name, as they are compiled (here and ahead of time by the build). */
export function schemasToCompile(): Record<SchemaName, object> {
  return {
    profile: closeObjects(profileSchema, new Set(['metadata', 'status'])) as object,
    policies: strictPoliciesSchema(),
    'auto-nodeclass': closeObjects(autoNodeClassSchema, new Set(['metadata'])) as object,
  };
}

type SchemaName = 'profile' | 'policies' | 'auto-nodeclass';

/** The options the schemas are compiled with. */
export const SCHEMA_OPTIONS = { allErrors: true, strict: false } as const;

/** Compiled on first use (util/precompiled.ts): a command that validates nothing loads no ajv. */
function validator(name: SchemaName): ValidateFunction {
  return validatorOf('schemas', name, {
    options: SCHEMA_OPTIONS,
    formats: true,
    schema: () => schemasToCompile()[name],
  });
}

function issuesOf(fn: ValidateFunction, value: unknown): SchemaIssue[] {
  if (fn(value)) return [];
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of fn.errors ?? []) {
    const issue = toIssue(e);
    if (issue === undefined) continue;
    const key = `${issue.pointer} ${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}

/** What each schema's `not` forbids, by its place (the profile's is the default). */
const NOT_MESSAGES: Readonly<Record<string, string>> = {
  '#/properties/spec/not': 'set only one of role and instanceProfile',
  '#/properties/metadata/properties/name/not': 'Auto Mode keeps the name default for its own NodeClass',
};

function toIssue(e: ErrorObject): SchemaIssue | undefined {
  const params = e.params as Record<string, unknown>;
  let pointer = e.instancePath;
  let locate = { pointer, atKey: false };
  let message = e.message ?? 'is invalid';
  switch (e.keyword) {
    case 'additionalProperties':
      pointer = `${pointer}/${String(params.additionalProperty)}`;
      locate = { pointer, atKey: true };
      message = 'unknown field';
      break;
    case 'required':
      locate = { pointer, atKey: true };
      pointer = `${pointer}/${String(params.missingProperty)}`;
      message = 'required field is missing';
      break;
    case 'enum':
      message = `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
      break;
    case 'not':
      message = NOT_MESSAGES[e.schemaPath] ?? 'set only one of minAvailable and maxUnavailable';
      break;
    case 'anyOf':
      return undefined; // the branch errors say more
    case 'propertyNames':
      pointer = `${pointer}/${String(params.propertyName)}`;
      locate = { pointer, atKey: true };
      message = `"${String(params.propertyName)}" is not a known name here`;
      break;
    case 'pattern':
      if (params.pattern === QUANTITY_PATTERN) message = 'must be a quantity such as 500m, 2 or 768Mi';
      break;
    default:
      break;
  }
  if (e.keyword !== 'propertyNames' && e.schemaPath.includes('/propertyNames/')) return undefined;
  return { pointer, path: pointerToPath(pointer), message, locate };
}

export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('')
    .replace(/^\./, '');
}

export function validateProfileObject(value: unknown): SchemaIssue[] {
  return issuesOf(validator('profile'), value);
}

export function validatePoliciesDocument(value: unknown): SchemaIssue[] {
  return issuesOf(validator('policies'), value);
}

/** An EKS Auto Mode NodeClass against AWS's documented shape (auto-nodeclass-schema.ts). */
export function validateAutoNodeClass(value: unknown): SchemaIssue[] {
  return issuesOf(validator('auto-nodeclass'), value);
}
