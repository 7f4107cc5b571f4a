/** Kubernetes objects as Berth reads them: a kind, metadata, and kind-specific shape. */
import type { V1ObjectMeta } from '@kubernetes/client-node';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

export function refOf(obj: KubeObject, defaultNamespace = 'default'): ObjectRef {
  return {
    kind: obj.kind ?? 'Unknown',
    namespace: obj.metadata?.namespace ?? defaultNamespace,
    name: obj.metadata?.name ?? obj.metadata?.generateName ?? '<unnamed>',
  };
}

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped object (no namespace). */
export function formatRef(ref: ObjectRef): string {
  return ref.namespace === '' ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

export function labelsOf(obj: KubeObject): Record<string, string> {
  return obj.metadata?.labels ?? {};
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Kinds whose objects have no namespace (the API's cluster-scoped resources, Karpenter's and Kyverno's among them). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'APIService',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'PodSecurityPolicy',
  'NodePool',
  'NodeClaim',
  'EC2NodeClass',
  'NodeClass',
  'ClusterPolicyReport',
  'ClusterPolicy',
  'ClusterIssuer',
]);

export function isClusterScoped(kind: string | undefined): boolean {
  return kind !== undefined && CLUSTER_SCOPED.has(kind);
}
