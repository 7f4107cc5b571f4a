/**
 * The scheduling gate as the API server's own MutatingAdmissionPolicy (admissionregistration.k8s.io/v1,
 * Kubernetes 1.36+): the same pods as the gate webhook (gate.ts, deploy/berth/webhooks.yaml's
 * gate.berth.dev) get berth.dev/capacity, with no call to Berth on pod creation.
 * - The policy `berth-scheduling-gate` matches pod creations as the gate webhook is sent them (its
 *   namespace and object selectors and match conditions) and adds the gate by server-side apply
 *   (schedulingGates is a map keyed by name: a pod already gated is left as it is). It is installed
 *   with Berth (deploy/gate-policy, the chart on 1.36+), never written by Berth's own account: a
 *   policy can mutate any object, and no admission control judges writes of policies.
 * - Its binding of the same name, owned by the policy, exists only while a Berth leader gates
 *   (operator/duties/policy-gate.ts).
 * - Its params are the EndpointSlices of Berth's Service: a pod is gated only while a replica is
 *   ready to serve. With every replica down (or Berth uninstalled), no pod is gated, as the webhook
 *   gate's failurePolicy Ignore lets pods through ungated.
 * Pure: builds the two objects. deploy/gate-policy and the chart install the policy built here (their
 * tests hold the three equal); berth serve applies only the binding.
 */
import type { KubeObject } from '../kube/objects.js';
import { SCHEDULING_GATE } from './gate.js';

export const GATE_POLICY = 'berth-scheduling-gate';

interface Condition {
  name: string;
  expression: string;
}
type Selector = Record<string, unknown>;

/** The gate webhook's conditions (deploy/berth/webhooks.yaml): the pods notGated() lets through. */
export const GATE_CONDITIONS: readonly Condition[] = [
  { name: 'unbound', expression: "!has(object.spec.nodeName) || object.spec.nodeName == ''" },
  {
    name: 'default-scheduler',
    expression: "!has(object.spec.schedulerName) || object.spec.schedulerName == 'default-scheduler'",
  },
  {
    name: 'not-a-daemonset-pod',
    expression:
      "!has(object.metadata.ownerReferences) || !object.metadata.ownerReferences.exists(r, r.kind == 'DaemonSet')",
  },
];

/** The policy's own: not gated already, and a replica of Berth ready behind its Service. */
const POLICY_CONDITIONS: readonly Condition[] = [
  {
    name: 'not-gated',
    expression: `!has(object.spec.schedulingGates) || !object.spec.schedulingGates.exists(g, g.name == '${SCHEDULING_GATE}')`,
  },
  {
    // An endpoint's ready condition left unset means ready (discovery.k8s.io/v1 EndpointConditions).
    name: 'a-replica-serves',
    expression:
      'has(params.endpoints) && params.endpoints.exists(e, !has(e.conditions) || !has(e.conditions.ready) || e.conditions.ready)',
  },
];

const GATE_APPLY = `Object{spec: Object.spec{schedulingGates: [Object.spec.schedulingGates{name: '${SCHEDULING_GATE}'}]}}`;

/** The gate webhook as declared: where it is sent pods (its selectors) and on which conditions. */
export interface DeclaredGate {
  namespaceSelector?: Selector;
  objectSelector?: Selector;
  matchConditions?: readonly Condition[];
}

export interface GatePolicyInput {
  /** Berth's namespace: its Service's EndpointSlices are the params. */
  namespace: string;
  /** Berth's Service (default berth). */
  service?: string | undefined;
  /** The gate webhook as the install declares it, when there is one. */
  declared?: DeclaredGate | undefined;
}

/** The namespaces the gate leaves alone without a declared webhook: the system's and Berth's own. */
function defaultNamespaces(namespace: string): Selector {
  const system = ['kube-system', 'kube-public', 'kube-node-lease', 'karpenter'];
  return {
    matchExpressions: [
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...new Set([...system, namespace])] },
      { key: 'berth.dev/ignore', operator: 'DoesNotExist' },
    ],
  };
}

const LABELS = { 'app.kubernetes.io/name': 'berth' };

/** The MutatingAdmissionPolicy berth-scheduling-gate. */
export function gatePolicy(i: GatePolicyInput): KubeObject {
  const d = i.declared;
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingAdmissionPolicy',
    metadata: { name: GATE_POLICY, labels: LABELS },
    spec: {
      paramKind: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' },
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE'],
            resources: ['pods'],
            scope: 'Namespaced',
          },
        ],
        namespaceSelector: d?.namespaceSelector ?? defaultNamespaces(i.namespace),
        ...(d?.objectSelector ? { objectSelector: d.objectSelector } : {}),
      },
      matchConditions: [...(d?.matchConditions ?? GATE_CONDITIONS), ...POLICY_CONDITIONS],
      mutations: [{ patchType: 'ApplyConfiguration', applyConfiguration: { expression: GATE_APPLY } }],
      // As the gate webhook's: a pod Berth's policy cannot judge is created ungated.
      failurePolicy: 'Ignore',
      reinvocationPolicy: 'Never',
    },
  };
}

/**
 * Its binding: params are the EndpointSlices of Berth's Service (none found: no pod is gated); owned
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
      labels: { ...LABELS, 'app.kubernetes.io/managed-by': 'berth' },
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
