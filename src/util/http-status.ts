/**
 * The HTTP status of an API server error from client-node (`code` or `statusCode`), if it has one.
 * Loads nothing: modules that must not load the Kubernetes client (the certificate stores, which
 * `serve --local` reaches) read it from here.
 */
export function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const x = e as { code?: unknown; statusCode?: unknown };
  const v = x.code ?? x.statusCode;
  return typeof v === 'number' ? v : undefined;
}
