/**
 * The scheduling gate as the API server's own MutatingAdmissionPolicy (admissionregistration.k8s.io/v1,
 * Kubernetes 1.36+): the same pods as the gate webhook (gate.ts, deploy/berth/webhooks.yaml's
 * gate.berth.dev) get berth.dev/capacity, with no call to Berth on pod creation.
 * - The policy `berth-scheduling-gate` (deploy/gate-policy; the chart renders the same on 1.36+)
 *   matches pod creations as the gate webhook is sent them and adds the gate by server-side apply. It
 *   is installed with Berth, never written by Berth's own account: a policy can mutate any object,
 *   and no admission control judges writes of policies.
 * - Its binding of the same name, built here and owned by the policy, exists only while a Berth leader
 *   gates (operator/duties/policy-gate.ts).
 * - Its params are the EndpointSlices of Berth's Service: a pod is gated only while a replica is
 *   ready to serve. With every replica down (or Berth uninstalled), no pod is gated, as the webhook
 *   gate's failurePolicy Ignore lets pods through ungated.
 * Pure.
 */
import type { KubeObject } from '../kube/objects.js';

export const GATE_POLICY = 'berth-scheduling-gate';

export interface GatePolicyInput {
  /** Berth's namespace: its Service's EndpointSlices are the params. */
  namespace: string;
  /** Berth's Service (default berth). */
  service?: string | undefined;
}

/**
 * The binding: params are the EndpointSlices of Berth's Service (none found: no pod is gated); owned
 * by the policy (its uid), so that uninstalling the policy removes it.
 */
export function gatePolicyBinding(i: GatePolicyInput, policyUid?: string): KubeObject {
  const owner = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingAdmissionPolicy',
    name: GATE_POLICY,
  };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingAdmissionPolicyBinding',
    metadata: {
      name: GATE_POLICY,
      labels: { 'app.kubernetes.io/name': 'berth', 'app.kubernetes.io/managed-by': 'berth' },
      ...(policyUid === undefined ? {} : { ownerReferences: [{ ...owner, uid: policyUid }] }),
    },
    spec: {
      policyName: GATE_POLICY,
      paramRef: {
        namespace: i.namespace,
        selector: { matchLabels: { 'kubernetes.io/service-name': i.service ?? 'berth' } },
        parameterNotFoundAction: 'Allow',
      },
    },
  };
}
