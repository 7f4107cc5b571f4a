/**
 * One policy judged for one binding and one params object, as kube-apiserver's validator does it
 * (k8s.io/apiserver pkg/admission/plugin/policy/validating/validator.go and plugin/cel): the
 * matchConditions, then each validation with its message, then the auditAnnotations; a runtime error
 * follows the policy's failurePolicy. Variables are evaluated lazily, once, when first read. Pure.
 */
import { celErrorText } from './cel-errors.js';
import type { CompiledPolicy, Program } from './programs.js';
import { celTypeName } from '../../cel/values.js';

export type Outcome = { kind: 'admit' } | { kind: 'deny'; message: string; reason: string; error: boolean };

export interface ValidateResult {
  /** One per validation, in order. */
  outcomes: Outcome[];
  /** Audit annotations that failed: they deny whatever the binding's validationActions. */
  annotationDenials: Outcome[];
  annotations: { key: string; value: string }[];
}

type Result = { ok: true; value: unknown } | { ok: false; error: string };

/** An expression that failed, and the API server's words for it (allocated only on failure). */
class Failure {
  constructor(readonly error: string) {}
}

const ADMIT: Outcome = Object.freeze({ kind: 'admit' });

/** The expression's value, or its Failure: no wrapper allocated per evaluation (reviews run thousands). */
function run(p: Program, activation: Record<string, unknown>): unknown {
  if (p.run === undefined) return new Failure(`compilation error: ${p.compileError ?? ''}`);
  try {
    return p.run(activation);
  } catch (e) {
    return new Failure(`expression '${p.expression}' resulted in error: ${celErrorText(e)}`);
  }
}

/** The `variables` object: each variable computed on first read (composition.go's lazy variables). */
function variablesOf(c: CompiledPolicy, activation: Record<string, unknown>): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const v of c.variables) {
    let memo: Result | undefined;
    Object.defineProperty(vars, v.name, {
      enumerable: true,
      get: () => {
        memo ??=
          v.run === undefined
            ? {
                ok: false,
                error: `composited variable "${v.name}" fails to compile: ${v.compileError ?? ''}`,
              }
            : evalVariable(v, activation);
        if (!memo.ok) throw new Error(memo.error);
        return memo.value;
      },
    });
  }
  return vars;
}

function evalVariable(v: Program & { name: string }, activation: Record<string, unknown>): Result {
  try {
    return { ok: true, value: (v.run as NonNullable<Program['run']>)(activation) };
  } catch (e) {
    return { ok: false, error: `composited variable "${v.name}" fails to evaluate: ${celErrorText(e)}` };
  }
}

/** matchConditions: false leaves the request out; errors are kept (aggregated) unless one is false. */
export function conditionsMatch(
  c: CompiledPolicy,
  activation: Record<string, unknown>,
): true | false | string {
  const errors: string[] = [];
  for (const cond of c.matchConditions) {
    const r = run(cond, activation);
    if (r instanceof Failure) errors.push(r.error);
    else if (r === false) return false;
  }
  if (errors.length === 0) return true;
  return errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`;
}

const MAX_MESSAGE = 5 * 1024;

function messageOf(v: CompiledPolicy['validations'][number], activation: Record<string, unknown>): string {
  let message = '';
  if (v.messageExpression) {
    const r = run(v.messageExpression, activation);
    if (typeof r === 'string') {
      message = r.trim();
      if (message.length > MAX_MESSAGE || message.includes('\n')) message = '';
    }
  }
  if (message === '' && v.message) message = v.message.trim();
  return message === '' ? `failed expression: ${v.expression.expression.trim()}` : message;
}

function annotationsOf(
  c: CompiledPolicy,
  activation: Record<string, unknown>,
  fail: boolean,
  outcomes: Outcome[],
) {
  const out: { key: string; value: string }[] = [];
  for (const a of c.auditAnnotations) {
    const r = run(a.value, activation);
    if (r instanceof Failure) {
      if (fail) outcomes.push({ kind: 'deny', message: r.error, reason: 'Invalid', error: true });
      continue;
    }
    if (r === null) continue;
    if (typeof r !== 'string') {
      const t = celTypeName(r);
      outcomes.push({
        kind: 'deny',
        message: `valueExpression '${a.value.expression}' resulted in unsupported return type: ${t}. Return type must be either string or null.`,
        reason: 'Invalid',
        error: true,
      });
      continue;
    }
    const value = r.trim();
    if (value !== '') out.push({ key: a.key, value: value.slice(0, 10 * 1024) });
  }
  return out;
}

const NO_VARIABLES: Record<string, unknown> = Object.freeze({});
const NO_ANNOTATIONS: { key: string; value: string }[] = [];

/** Validator.Validate after the matchConditions passed (`base` is the request's activation: its `variables` is set here). */
export function validate(c: CompiledPolicy, base: Record<string, unknown>): ValidateResult {
  const fail = (c.policy.spec.failurePolicy ?? 'Fail') === 'Fail';
  const activation = base;
  activation.variables = c.variables.length === 0 ? NO_VARIABLES : variablesOf(c, activation);
  const outcomes: Outcome[] = [];
  for (const v of c.validations) {
    const r = run(v.expression, activation);
    if (r instanceof Failure)
      outcomes.push(fail ? { kind: 'deny', message: r.error, reason: 'Invalid', error: true } : ADMIT);
    else if (r !== true)
      outcomes.push({
        kind: 'deny',
        message: messageOf(v, activation),
        reason: v.reason ?? 'Invalid',
        error: false,
      });
    else outcomes.push(ADMIT);
  }
  const annotationDenials: Outcome[] = [];
  const annotations =
    c.auditAnnotations.length === 0 ? NO_ANNOTATIONS : annotationsOf(c, activation, fail, annotationDenials);
  return { outcomes, annotationDenials, annotations };
}
