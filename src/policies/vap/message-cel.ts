/**
 * A rule's finding as CEL: the same text the engine writes (formatMessage for enforce and audit,
 * shortWarning for kubectl's Warning line, the ratchet's note for an enforced finding already there
 * before an UPDATE), built by the API server from the object. Each text is a CEL expression over a
 * root (`object` or `oldObject`) so that the old object's finding can be compared with the new one's.
 * Pure: strings in, strings out.
 */
import { WARNING_MAX } from '../engine.js';
import { PREEXISTING } from '../../admission/ratchet.js';
import type { RuleId } from '../rules/ids.js';

/** A CEL expression over a root: `object` or `oldObject`. */
export type Cel = (root: Root) => string;
export type Root = 'object' | 'oldObject';

/** A CEL string literal (JSON's escapes are CEL's: \", \\, \n, \uXXXX). */
export const lit = (s: string): string => JSON.stringify(s);

/** A constant text, whatever the root. */
export const text =
  (s: string): Cel =>
  () =>
    lit(s);

/**
 * One finding of a rule: when it holds, and its words. `plain*` are the words without their
 * parenthetical asides (the engine's withoutAsides), given where the words have asides.
 */
export interface FindingCel {
  hit: Cel;
  what: Cel;
  fix: Cel;
  brief?: Cel;
  briefFix?: Cel;
  plainWhat?: Cel;
  plainBrief?: Cel;
  plainFix?: Cel;
  plainBriefFix?: Cel;
}

export interface NamedExpression {
  name: string;
  expression: string;
}

const PREFIX: Record<Root, string> = { object: 'new', oldObject: 'old' };

/** The variable holding part `part` of finding `i` for a root. */
export const varName = (root: Root, i: number, part: string): string => `${PREFIX[root]}${i}_${part}`;
const v = (root: Root, i: number, part: string): string => `variables.${varName(root, i, part)}`;

/** `Kind namespace/name` (formatRef) of the request's object. */
function refOf(root: Root, namespaced: boolean): string {
  return namespaced
    ? `${root}.kind + ' ' + request.namespace + '/' + ${root}.metadata.name`
    : `${root}.kind + ' ' + ${root}.metadata.name`;
}

/**
 * shortWarning's candidates in its order: each what (full, brief, plain) with each fix (full, brief,
 * plain), then the shortest what alone, cut at whole clauses when even that is too long.
 */
function shortVariables(rule: RuleId, i: number, f: FindingCel, root: Root): NamedExpression[] {
  const head = `[${rule}] `;
  const whats = [f.what, f.brief, f.plainWhat, f.plainBrief].filter((c): c is Cel => c !== undefined);
  const fixes = [f.fix, f.briefFix, f.plainFix, f.plainBriefFix].filter((c): c is Cel => c !== undefined);
  const out: NamedExpression[] = whats.map((w, k) => ({
    name: varName(root, i, `w${k}`),
    expression: `string(${w(root)})`,
  }));
  fixes.forEach((x, k) => out.push({ name: varName(root, i, `f${k}`), expression: `string(${x(root)})` }));
  const lines = whats.flatMap((_, a) =>
    fixes.map((_f, b) => `${lit(head)} + ${v(root, i, `w${a}`)} + '; fix: ' + ${v(root, i, `f${b}`)}`),
  );
  out.push({
    name: varName(root, i, 'fits'),
    expression: `[${lines.join(', ')}].filter(s, size(s) <= ${WARNING_MAX})`,
  });
  // The shortest what, the first of those of equal length (a stable sort's first).
  let shortest = v(root, i, 'w0');
  whats.slice(1).forEach((_, k) => {
    const name = varName(root, i, `min${k + 1}`);
    out.push({
      name,
      expression: `size(${v(root, i, `w${k + 1}`)}) < size(${shortest}) ? ${v(root, i, `w${k + 1}`)} : ${shortest}`,
    });
    shortest = `variables.${name}`;
  });
  const room = WARNING_MAX - head.length;
  const clip = `${shortest}.substring(0, size(${shortest}) < ${room + 1} ? size(${shortest}) : ${room + 1})`;
  out.push({ name: varName(root, i, 'clip'), expression: clip });
  const c = v(root, i, 'clip');
  out.push({
    name: varName(root, i, 'at'),
    expression: `[${c}.lastIndexOf(';'), ${c}.lastIndexOf(':'), ${c}.lastIndexOf(',')].max()`,
  });
  const at = v(root, i, 'at');
  const alone = `size(${shortest}) <= ${room} ? ${lit(head)} + ${shortest} : ${lit(head)} + (${at} >= 0 ? ${shortest}.substring(0, ${at}).trim() : ${shortest}.substring(0, ${room}))`;
  out.push({
    name: varName(root, i, 'short'),
    expression: `size(${v(root, i, 'fits')}) > 0 ? ${v(root, i, 'fits')}[0] : ${alone}`,
  });
  return out;
}

/** The variables of finding `i` for a root: whether it holds, its full text, its warning, its ratchet note. */
export function findingVariables(
  rule: RuleId,
  i: number,
  f: FindingCel,
  root: Root,
  namespaced: boolean,
): NamedExpression[] {
  const head = `[${rule}] `;
  const max = WARNING_MAX - PREEXISTING.length;
  const body = `(${f.what(root)}) + '; fix: ' + (${f.fix(root)})`;
  return [
    { name: varName(root, i, 'hit'), expression: f.hit(root) },
    {
      name: varName(root, i, 'full'),
      expression: `${lit(head)} + ${refOf(root, namespaced)} + ': ' + ${body}`,
    },
    ...(root === 'object'
      ? [
          ...shortVariables(rule, i, f, root),
          { name: varName(root, i, 'bare'), expression: `${lit(head)} + ${body}` },
          {
            name: varName(root, i, 'ratchet'),
            expression: `(size(${v(root, i, 'bare')}) <= ${max} ? ${v(root, i, 'bare')} : ${v(root, i, 'bare')}.substring(0, ${max - 1}) + '…') + ${lit(PREEXISTING)}`,
          },
        ]
      : []),
  ];
}

/**
 * Finding `i` as a validation. The binding's params say its mode: enforce (Deny), warn, audit, or
 * ratchet (the Warn binding beside an enforced rule: an UPDATE whose old object had the finding word
 * for word is warned about, not denied, as the webhook's ratchet does).
 */
export function findingValidation(i: number): {
  expression: string;
  messageExpression: string;
  reason: string;
} {
  const nv = (part: string) => v('object', i, part);
  const ov = (part: string) => v('oldObject', i, part);
  const kept = `(request.operation == 'UPDATE' && ${ov('hit')} && ${ov('full')} == ${nv('full')})`;
  return {
    expression: `!${nv('hit')} || (params.data.mode == 'enforce' && ${kept}) || (params.data.mode == 'ratchet' && !${kept})`,
    messageExpression: `string(params.data.mode == 'warn' ? ${nv('short')} : params.data.mode == 'ratchet' ? ${nv('ratchet')} : ${nv('full')})`,
    reason: 'Forbidden',
  };
}
