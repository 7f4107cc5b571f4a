/**
 * The `request` variable: the AdmissionRequest kube-apiserver builds for a policy
 * (k8s.io/apiserver pkg/admission/plugin/cel CreateAdmissionRequest), with the fields an offline
 * request can know. Pure.
 */
import type { AdmissionAttributes } from './types.js';

export function admissionRequest(a: AdmissionAttributes): Record<string, unknown> {
  const gvk = { group: a.group, version: a.version, kind: a.kind };
  const gvr = { group: a.group, version: a.version, resource: a.resource };
  const out: Record<string, unknown> = {
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    name: a.name,
    namespace: a.namespace,
    operation: a.operation,
    userInfo: {
      username: a.userInfo.username ?? '',
      ...(a.userInfo.groups ? { groups: a.userInfo.groups } : {}),
    },
    dryRun: a.dryRun,
  };
  if (a.subResource) {
    out.subResource = a.subResource;
    out.requestSubResource = a.subResource;
  }
  return out;
}
