/**
 * Equality of Kubernetes' library values (quantities, IPs, CIDRs, URLs, semvers), as their cel-go
 * types define it: a quantity equals another of the same value whatever its spelling
 * (`quantity("200M") == quantity("0.2G")`). Each type compares through its own compareTo. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';

interface Comparable {
  compareTo(other: unknown): number;
}

const equal = (a: Comparable, b: Comparable): boolean => a.compareTo(b) === 0;

export function registerEquality(env: Environment, types: readonly string[]): Environment {
  let out = env;
  // Registering == gives != as its negation.
  for (const t of types) out = out.registerOperator(`${t} == ${t}`, equal);
  return out;
}
