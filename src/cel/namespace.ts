/**
 * A CEL namespace the evaluator resolves as a constant of its own type (`strings.quote(…)`,
 * `sets.contains(…)`, `format.named(…)`): the evaluator (@marcbachmann/cel-js) calls namespaced
 * functions as members of that constant. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';

/** Registers `name` as a namespace; its functions are then declared as `<typeName>.<function>(…)`. */
export function registerNamespace(env: Environment, typeName: string, name: string): Environment {
  const Namespace = class {
    readonly namespace = name;
  };
  return env.registerType(typeName, Namespace).registerConstant(name, typeName, new Namespace());
}
