/**
 * A policy's expressions compiled once, in Kubernetes' CEL environment: matchConditions, variables,
 * validations (expression, messageExpression), auditAnnotations. A compile error is kept with its
 * expression and surfaces when the expression would run ("compilation error: …"), as kube-apiserver
 * surfaces it. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { kubernetesEnvironment } from '../../cel/env.js';
import { routeMatches } from '../../cel/regex.js';
import type { Vap } from './types.js';

export interface Program {
  readonly expression: string;
  readonly run: ((activation: Record<string, unknown>) => unknown) | undefined;
  readonly compileError: string | undefined;
}

export interface CompiledPolicy {
  readonly policy: Vap;
  readonly matchConditions: readonly (Program & { name: string })[];
  readonly variables: readonly (Program & { name: string })[];
  readonly validations: readonly {
    expression: Program;
    messageExpression: Program | undefined;
    message: string | undefined;
    reason: string | undefined;
  }[];
  readonly auditAnnotations: readonly { key: string; value: Program }[];
}

const BASE_VARS = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'authorizer'];

let evalEnv: Environment | undefined;
let typeBase: Environment | undefined;
/** Evaluation: `variables` is dyn, its fields computed lazily. */
const runEnv = (): Environment => (evalEnv ??= kubernetesEnvironment([...BASE_VARS, 'variables']));

/** Type checking: `variables` typed field by field from its expressions, as the API server types them. */
function typedEnv(types: Readonly<Record<string, string>>): Environment {
  typeBase ??= kubernetesEnvironment(BASE_VARS);
  return typeBase
    .clone()
    .registerType('kubernetes.Variables', { fields: { ...types } })
    .registerVariable('variables', 'kubernetes.Variables');
}

const firstLine = (m: string): string => m.split('\n')[0] ?? m;

/** cel-go's name for a type ("list(string)", "null_type"). */
export const celGoType = (t: string): string =>
  t === 'null' ? 'null_type' : t.replace(/</g, '(').replace(/>/g, ')');

/** An expression compiled: type-checked in `types`' environment against the types it must return. */
export function compileExpression(
  expression: string,
  returns: readonly string[] | undefined,
  types: Environment = typedEnv({}),
): Program & { type: string } {
  try {
    const checked = types.check(expression);
    if (!checked.valid)
      return {
        expression,
        run: undefined,
        compileError: `compilation failed: ${firstLine(checked.error?.message ?? 'invalid')}`,
        type: 'dyn',
      };
    const type = celGoType(String(checked.type));
    if (returns && !returns.includes(type)) {
      const want = returns.length === 1 ? (returns[0] ?? '') : `one of [${returns.join(' ')}]`;
      return { expression, run: undefined, compileError: `must evaluate to ${want} but got ${type}`, type };
    }
    const parsed = runEnv().parse(routeMatches(expression));
    return { expression, run: (activation) => parsed(activation) as unknown, compileError: undefined, type };
  } catch (e) {
    return {
      expression,
      run: undefined,
      compileError: `compilation failed: ${firstLine((e as Error).message)}`,
      type: 'dyn',
    };
  }
}

const BOOL = ['bool'];
const STRING = ['string'];
const STRING_OR_NULL = ['string', 'null_type'];

/** The type checker's name for a variable's type, for the next variables' environment. */
const declared = (t: string): string => (/^(bool|int|uint|double|string|bytes)$/.test(t) ? t : 'dyn');

export function compilePolicy(policy: Vap): CompiledPolicy {
  const spec = policy.spec;
  const types: Record<string, string> = {};
  const variables = (spec.variables ?? []).map((v) => {
    const p = compileExpression(v.expression, undefined, typedEnv(types));
    types[v.name] = declared(p.type);
    return { name: v.name, ...p };
  });
  const env = typedEnv(types);
  return {
    policy,
    matchConditions: (spec.matchConditions ?? []).map((c) => ({
      name: c.name,
      ...compileExpression(c.expression, BOOL, env),
    })),
    variables,
    validations: (spec.validations ?? []).map((v) => ({
      expression: compileExpression(v.expression, BOOL, env),
      messageExpression:
        v.messageExpression === undefined ? undefined : compileExpression(v.messageExpression, STRING, env),
      message: v.message,
      reason: v.reason,
    })),
    auditAnnotations: (spec.auditAnnotations ?? []).map((a) => ({
      key: a.key,
      value: compileExpression(a.valueExpression, STRING_OR_NULL, env),
    })),
  };
}

/** Every compile error of a policy, as the API server refuses the policy on create. */
export function compileProblems(c: CompiledPolicy): string[] {
  const out: string[] = [];
  const add = (path: string, p: Program | undefined): void => {
    if (p?.compileError !== undefined)
      out.push(`${path}: Invalid value: ${JSON.stringify(p.expression)}: ${p.compileError}`);
  };
  c.matchConditions.forEach((p, i) => {
    add(`spec.matchConditions[${i}].expression`, p);
  });
  c.variables.forEach((p, i) => {
    add(`spec.variables[${i}].expression`, p);
  });
  c.validations.forEach((v, i) => {
    add(`spec.validations[${i}].expression`, v.expression);
    add(`spec.validations[${i}].messageExpression`, v.messageExpression);
  });
  c.auditAnnotations.forEach((a, i) => {
    add(`spec.auditAnnotations[${i}].valueExpression`, a.value);
  });
  return out;
}
