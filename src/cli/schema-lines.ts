/** Places WorkloadProfile schema errors on their file, line and column for the CLI. */
import { validateProfileObject } from '../policies/schema/validate.js';
import { positionOf } from '../util/yaml-source.js';
import type { SourcedObject } from '../inputs/objects.js';

export function profileSchemaLines(src: SourcedObject): string[] {
  if (src.object.kind !== 'WorkloadProfile') return [];
  return validateProfileObject(src.object).map((issue) => {
    const p = src.source ? positionOf(src.source, issue.locate.pointer, issue.locate.atKey) : src.pos;
    return `${p.file}:${p.line}:${p.col}: ${issue.path}: ${issue.message}`;
  });
}
