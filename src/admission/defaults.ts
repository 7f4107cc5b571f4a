/**
 * The API server defaults `spec.replicas` to 1 before admission, so on CREATE the webhook cannot see
 * whether the user wrote it. The user's own manifest can tell: kubectl apply's last-applied
 * annotation, or the applier's entry in managedFields. Where either shows no replicas, the value is
 * the server's default and the profile's minReplicas applies, as it does offline; otherwise (or when
 * neither says) it is taken as written.
 */
import type { KubeObject } from '../kube/objects.js';
import { isObject } from '../kube/objects.js';
import { isReplicated } from '../kube/workload.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function declaredInLastApplied(obj: KubeObject): boolean | undefined {
  const text = obj.metadata?.annotations?.[LAST_APPLIED];
  if (text === undefined) return undefined;
  try {
    const applied: unknown = JSON.parse(text);
    return isObject(applied) && isObject(applied.spec) && applied.spec.replicas !== undefined;
  } catch {
    return undefined;
  }
}

function declaredInManagedFields(obj: KubeObject): boolean | undefined {
  const entries = obj.metadata?.managedFields;
  if (!entries || entries.length === 0) return undefined;
  // Server-side apply records exactly the fields the applier sent.
  const applies = entries.filter((e) => e.operation === 'Apply');
  if (applies.length === 0) return undefined;
  return applies.some((e) => {
    const spec: unknown = (e.fieldsV1 as Record<string, unknown> | undefined)?.['f:spec'];
    return isObject(spec) && 'f:replicas' in spec;
  });
}

/** The object with a server-defaulted `spec.replicas: 1` removed, on CREATE of a replicated kind. */
export function withoutServerDefaults(obj: KubeObject, operation: string): KubeObject {
  if (operation !== 'CREATE' || !isReplicated(obj.kind) || !isObject(obj.spec) || obj.spec.replicas !== 1)
    return obj;
  const declared = declaredInLastApplied(obj) ?? declaredInManagedFields(obj) ?? true;
  if (declared) return obj;
  const spec = { ...obj.spec };
  delete spec.replicas;
  return { ...obj, spec };
}
