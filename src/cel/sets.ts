/**
 * cel-go's ext.Sets, as Kubernetes enables it: sets.contains(a, b) (every element of b is in a),
 * sets.equivalent(a, b) and sets.intersects(a, b), with CEL's equality. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { celEquals } from './lists.js';
import { registerNamespace } from './namespace.js';

const has = (list: readonly unknown[], v: unknown): boolean => list.some((x) => celEquals(x, v));

export function registerSets(env: Environment): Environment {
  return registerNamespace(env, 'SetsNamespace', 'sets')
    .registerFunction('SetsNamespace.contains(list, list): bool', (_: unknown, a: unknown[], b: unknown[]) =>
      b.every((v) => has(a, v)),
    )
    .registerFunction(
      'SetsNamespace.equivalent(list, list): bool',
      (_: unknown, a: unknown[], b: unknown[]) => b.every((v) => has(a, v)) && a.every((v) => has(b, v)),
    )
    .registerFunction(
      'SetsNamespace.intersects(list, list): bool',
      (_: unknown, a: unknown[], b: unknown[]) => b.some((v) => has(a, v)),
    );
}
