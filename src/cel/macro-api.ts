/**
 * The evaluator's macro interface (@marcbachmann/cel-js 8: a function declared with `ast` arguments
 * gets them unevaluated, and is checked and run in contexts it may extend with variables), as far as
 * Berth's macros use it. Types only.
 */
export interface Ast {
  op: string;
  args: unknown;
}

export interface Ctx {
  forkWithVariable(name: string, type: unknown): Ctx;
  reuse(parent: Ctx): Ctx;
  setIterValue(v: unknown, ev: Evaluator): Ctx;
}

export interface Checker {
  check(ast: Ast, ctx: Ctx): unknown;
  dynType: unknown;
  boolType: unknown;
}

export interface Evaluator {
  run(ast: Ast, ctx: Ctx): unknown;
}

export interface MacroArgs {
  args: Ast[];
  receiver: Ast;
}

/** The name of a macro's variable argument, or the error cel-go gives. */
export function variableName(ast: Ast | undefined, macro: string): string {
  if (ast?.op !== 'id' || typeof ast.args !== 'string')
    throw new Error(`${macro}() variable name must be a simple identifier`);
  return ast.args;
}
