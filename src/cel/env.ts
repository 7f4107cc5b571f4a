/**
 * The CEL environment kube-apiserver 1.37 compiles admission policy expressions in
 * (k8s.io/apiserver pkg/cel/environment/base.go): CEL's standard library with optional types and
 * cross-type numeric comparison, the strings extension (v2), sets, two-variable comprehensions,
 * lists (ext v3 and Kubernetes' own), regex, URLs, quantities, IP and CIDR, formats, semver and the
 * authorizer — each library in its own file beside this one. The evaluator is @marcbachmann/cel-js.
 * Built once per variable set; pure.
 */
import { Environment } from '@marcbachmann/cel-js';
import { registerAuthz } from './authz.js';
import { registerComprehensions } from './comprehensions.js';
import { registerConversions } from './conversions.js';
import { registerEquality } from './equality.js';
import { registerFormat } from './format.js';
import { registerLists } from './lists.js';
import { CIDR, IP, registerNet } from './net.js';
import { registerOptionals } from './optionals.js';
import { Quantity, registerQuantity } from './quantity.js';
import { registerRegex } from './regex.js';
import { Semver, registerSemver } from './semver.js';
import { registerSets } from './sets.js';
import { registerStrings } from './strings.js';
import { URLValue, registerURL } from './url.js';

const LIBRARIES = [
  registerConversions,
  registerOptionals,
  registerStrings,
  registerLists,
  registerRegex,
  registerQuantity,
  registerURL,
  registerNet,
  registerFormat,
  registerSemver,
  registerSets,
  registerAuthz,
  registerComprehensions,
];

/** Kubernetes' base environment with `variables` declared dyn. */
export function kubernetesEnvironment(variables: readonly string[]): Environment {
  let env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: true });
  for (const lib of LIBRARIES) env = lib(env);
  env = registerEquality(env, [Quantity.celType, IP.celType, CIDR.celType, URLValue.celType, Semver.celType]);
  for (const v of variables) env = env.registerVariable(v, 'dyn');
  return env;
}
