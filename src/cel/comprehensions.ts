/**
 * cel-go's two-variable comprehensions (ext.TwoVarComprehensions, on since Kubernetes 1.32): over a
 * list the variables are index and value, over a map key and value. all, exists, existsOne,
 * transformList, transformMap and transformMapEntry, with and without a filter. Built as macros of
 * the evaluator (@marcbachmann/cel-js: its `ast` arguments, checked and run in a context holding the
 * two variables). Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';
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
  first: string;
  second: string;
  filter: Ast | undefined;
  body: Ast;
  c1?: Ctx;
  c2?: Ctx;
}

type Kind = 'all' | 'exists' | 'existsOne' | 'transformList' | 'transformMap' | 'transformMapEntry';

/** The pairs a comprehension ranges over: (index, value) of a list, (key, value) of a map. */
function pairs(range: unknown): [unknown, unknown][] {
  if (Array.isArray(range)) return range.map((v, i) => [BigInt(i), v]);
  if (range instanceof Map) return [...range.entries()];
  if (typeof range === 'object' && range !== null) return Object.entries(range);
  throw new Error('no such overload');
}

function run(kind: Kind, ev: Evaluator, m: Macro, ctx: Ctx): unknown {
  const items = pairs(ev.run(m.receiver, ctx));
  const c1 = (m.c1 as Ctx).reuse(ctx);
  const c2 = (m.c2 as Ctx).reuse(c1);
  const at = (k: unknown, v: unknown): Ctx => (c1.setIterValue(k, ev), c2.setIterValue(v, ev));
  const test = (c: Ctx, ast: Ast): boolean => {
    const r = ev.run(ast, c);
    if (typeof r !== 'boolean') throw new Error('no such overload');
    return r;
  };
  switch (kind) {
    case 'all':
    case 'exists':
      return quantify(kind, items, (k, v) => test(at(k, v), m.body));
    case 'existsOne': {
      let n = 0;
      for (const [k, v] of items) if (test(at(k, v), m.body)) n++;
      return n === 1;
    }
    default:
      return transform(kind, items, m, { ev, at, test });
  }
}

/** all / exists: an error is kept until the end, where a decisive element overrides it (CEL's logic). */
function quantify(
  kind: 'all' | 'exists',
  items: [unknown, unknown][],
  test: (k: unknown, v: unknown) => boolean,
): boolean {
  let error: unknown;
  for (const [k, v] of items) {
    try {
      const r = test(k, v);
      if (kind === 'all' && !r) return false;
      if (kind === 'exists' && r) return true;
    } catch (e) {
      error ??= e;
    }
  }
  if (error !== undefined) throw error instanceof Error ? error : new Error('comprehension failed');
  return kind === 'all';
}

interface Step {
  ev: Evaluator;
  at: (k: unknown, v: unknown) => Ctx;
  test: (c: Ctx, ast: Ast) => boolean;
}

function transform(kind: Kind, items: [unknown, unknown][], m: Macro, { ev, at, test }: Step): unknown {
  const list: unknown[] = [];
  const map: Record<string, unknown> = {};
  for (const [k, v] of items) {
    const c = at(k, v);
    if (m.filter && !test(c, m.filter)) continue;
    const out = ev.run(m.body, c);
    if (kind === 'transformList') list.push(out);
    else if (kind === 'transformMap') map[String(k)] = out;
    else Object.assign(map, entryOf(out, map));
  }
  return kind === 'transformList' ? list : map;
}

function entryOf(out: unknown, into: Record<string, unknown>): Record<string, unknown> {
  if (typeof out !== 'object' || out === null) throw new Error('no such overload');
  for (const k of Object.keys(out)) if (k in into) throw new Error(`insert failed: key ${k} already exists`);
  return out as Record<string, unknown>;
}

function macro(kind: Kind, withFilter: boolean) {
  return ({ args, receiver }: MacroArgs) => {
    const m: Macro = {
      receiver,
      first: variableName(args[0], kind),
      second: variableName(args[1], kind),
      filter: withFilter ? args[2] : undefined,
      body: (withFilter ? args[3] : args[2]) as Ast,
    };
    if (m.first === m.second)
      throw new Error(`${kind}() second variable must be different from the first variable`);
    return {
      ...m,
      typeCheck(checker: Checker, mm: Macro, ctx: Ctx) {
        checker.check(mm.receiver, ctx);
        mm.c1 = ctx.forkWithVariable(mm.first, checker.dynType);
        mm.c2 = mm.c1.forkWithVariable(mm.second, checker.dynType);
        if (mm.filter) checker.check(mm.filter, mm.c2);
        checker.check(mm.body, mm.c2);
        return kind === 'all' || kind === 'exists' || kind === 'existsOne'
          ? checker.boolType
          : checker.dynType;
      },
      evaluate: (ev: Evaluator, mm: Macro, ctx: Ctx) => run(kind, ev, mm, ctx),
    };
  };
}

export function registerComprehensions(env: Environment): Environment {
  let out = env;
  for (const recv of ['list', 'map']) {
    for (const kind of ['all', 'exists', 'existsOne'] as const)
      out = out.registerFunction(`${recv}.${kind}(ast, ast, ast): bool`, macro(kind, false));
    for (const kind of ['transformList', 'transformMap', 'transformMapEntry'] as const) {
      const ret = kind === 'transformList' ? 'list' : 'map';
      out = out
        .registerFunction(`${recv}.${kind}(ast, ast, ast): ${ret}`, macro(kind, false))
        .registerFunction(`${recv}.${kind}(ast, ast, ast, ast): ${ret}`, macro(kind, true));
    }
  }
  return out;
}
