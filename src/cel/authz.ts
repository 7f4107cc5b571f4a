/**
 * Kubernetes' authorizer library (k8s.io/apiserver pkg/cel/library/authz.go) as far as it can be
 * answered without the cluster: the builder (`authorizer.group(g).resource(r)…`) composes, and
 * `check(verb)` fails with {@link OFFLINE_AUTHZ}, so that a policy that asks the authorizer is
 * reported as unanswerable offline, never guessed. Pure.
 */
import type { Environment } from '@marcbachmann/cel-js';

export const OFFLINE_AUTHZ =
  'authorizer checks cannot be answered offline (they need the cluster\u2019s RBAC)';

export class AuthorizerOfflineError extends Error {
  constructor() {
    super(OFFLINE_AUTHZ);
  }
}

/** A value of one of the authorizer library's types: nothing to ask offline but its type. */
const offlineType = (celType: string) =>
  class {
    static readonly celType = celType;
    readonly offline = true;
  };
const Authorizer = offlineType('kubernetes.authorization.Authorizer');
const PathCheck = offlineType('kubernetes.authorization.PathCheck');
const GroupCheck = offlineType('kubernetes.authorization.GroupCheck');
const ResourceCheck = offlineType('kubernetes.authorization.ResourceCheck');
const Decision = offlineType('kubernetes.authorization.Decision');

/** The authorizer value bound to `authorizer` offline. */
export const offlineAuthorizer = new Authorizer();

const fail = (): never => {
  throw new AuthorizerOfflineError();
};

export function registerAuthz(env: Environment): Environment {
  const A = Authorizer.celType;
  const P = PathCheck.celType;
  const G = GroupCheck.celType;
  const R = ResourceCheck.celType;
  const D = Decision.celType;
  return env
    .registerType(A, Authorizer)
    .registerType(P, PathCheck)
    .registerType(G, GroupCheck)
    .registerType(R, ResourceCheck)
    .registerType(D, Decision)
    .registerFunction(`${A}.path(string): ${P}`, () => new PathCheck())
    .registerFunction(`${A}.group(string): ${G}`, () => new GroupCheck())
    .registerFunction(`${A}.serviceAccount(string, string): ${A}`, () => new Authorizer())
    .registerFunction(`${G}.resource(string): ${R}`, () => new ResourceCheck())
    .registerFunction(`${R}.subresource(string): ${R}`, (r: unknown) => r)
    .registerFunction(`${R}.namespace(string): ${R}`, (r: unknown) => r)
    .registerFunction(`${R}.name(string): ${R}`, (r: unknown) => r)
    .registerFunction(`${R}.fieldSelector(string): ${R}`, (r: unknown) => r)
    .registerFunction(`${R}.labelSelector(string): ${R}`, (r: unknown) => r)
    .registerFunction(`${R}.check(string): ${D}`, fail)
    .registerFunction(`${P}.check(string): ${D}`, fail)
    .registerFunction(`${D}.allowed(): bool`, fail)
    .registerFunction(`${D}.reason(): string`, fail)
    .registerFunction(`${D}.errored(): bool`, fail)
    .registerFunction(`${D}.error(): string`, fail);
}
