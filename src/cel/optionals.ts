/**
 * The parts of CEL's optional types the evaluator (@marcbachmann/cel-js 8) lacks and Kubernetes'
 * policies may use (cel-go OptionalTypes): `optional.ofNonZeroValue(v)`, the macros
 * `opt.optMap(v, expr)` and `opt.optFlatMap(v, expr)`, and equality of optionals. Pure.
 */
import { Optional, type Environment } from '@marcbachmann/cel-js';
import { celEquals } from './lists.js';
import {
  variableName,
  type Ast,
  type Checker,
  type Ctx,
  type Evaluator,
  type MacroArgs,
} from './macro-api.js';

interface Macro {
  receiver: Ast;
  name: string;
  body: Ast;
  bound?: Ctx;
}

/** cel-go's IsZeroValue: null, false, 0, "", empty bytes, lists and maps. */
function isZero(v: unknown): boolean {
  if (v === null || v === false || v === '' || v === 0 || v === 0n) return true;
  if (v instanceof Uint8Array || Array.isArray(v)) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  if (typeof v === 'object' && v.constructor === Object) return Object.keys(v).length === 0;
  const u = v as { constructor?: { name?: string }; value?: unknown };
  return u.constructor?.name === 'UnsignedInt' && u.value === 0n;
}

function optionalMacro(flat: boolean) {
  const name = flat ? 'optFlatMap' : 'optMap';
  return ({ args, receiver }: MacroArgs) => {
    const m: Macro = { receiver, name: variableName(args[0], name), body: args[1] as Ast };
    return {
      ...m,
      typeCheck(checker: Checker, mm: Macro, ctx: Ctx) {
        checker.check(mm.receiver, ctx);
        mm.bound = ctx.forkWithVariable(mm.name, checker.dynType);
        checker.check(mm.body, mm.bound);
        return checker.dynType;
      },
      evaluate(ev: Evaluator, mm: Macro, ctx: Ctx) {
        const opt = ev.run(mm.receiver, ctx);
        if (!(opt instanceof Optional)) throw new Error('no such overload');
        if (!opt.hasValue()) return Optional.none();
        const out = ev.run(mm.body, (mm.bound as Ctx).reuse(ctx).setIterValue(opt.value(), ev));
        if (!flat) return Optional.of(out);
        if (!(out instanceof Optional)) throw new Error('no such overload');
        return out;
      },
    };
  };
}

function optionalEquals(a: Optional, b: Optional): boolean {
  if (!a.hasValue() || !b.hasValue()) return a.hasValue() === b.hasValue();
  return celEquals(a.value(), b.value());
}

export function registerOptionals(env: Environment): Environment {
  return env
    .registerFunction('OptionalNamespace.ofNonZeroValue(dyn): optional<dyn>', (_: unknown, v: unknown) =>
      isZero(v) ? Optional.none() : Optional.of(v),
    )
    .registerFunction('optional.optMap(ast, ast): optional<dyn>', optionalMacro(false))
    .registerFunction('optional.optFlatMap(ast, ast): optional<dyn>', optionalMacro(true))
    .registerOperator('optional == optional', optionalEquals);
}
