/**
 * ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1), as far as Berth reads
 * them, and the request an evaluation judges. Types only.
 */
import type { LabelSelector } from '../../kube/selector.js';
import type { KubeObject } from '../../kube/objects.js';

export interface NamedRuleWithOperations {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
  resourceNames?: string[];
  scope?: string;
}

export interface MatchResources {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  resourceRules?: NamedRuleWithOperations[];
  excludeResourceRules?: NamedRuleWithOperations[];
  matchPolicy?: 'Exact' | 'Equivalent';
}

export interface NamedExpression {
  name: string;
  expression: string;
}

export interface Validation {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
}

export interface VapSpec {
  paramKind?: { apiVersion?: string; kind?: string };
  matchConstraints?: MatchResources;
  validations?: Validation[];
  failurePolicy?: 'Fail' | 'Ignore';
  auditAnnotations?: { key: string; valueExpression: string }[];
  matchConditions?: NamedExpression[];
  variables?: NamedExpression[];
}

export interface Vap {
  apiVersion?: string;
  kind: 'ValidatingAdmissionPolicy';
  metadata: { name: string };
  spec: VapSpec;
}

export interface VapBinding {
  apiVersion?: string;
  kind: 'ValidatingAdmissionPolicyBinding';
  metadata: { name: string };
  spec: {
    policyName?: string;
    paramRef?: {
      name?: string;
      namespace?: string;
      selector?: LabelSelector;
      parameterNotFoundAction?: 'Allow' | 'Deny';
    };
    matchResources?: MatchResources;
    validationActions?: ('Deny' | 'Warn' | 'Audit')[];
  };
}

/** What an admission request is about, as kube-apiserver knows it when the policies run. */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  group: string;
  version: string;
  kind: string;
  /** The resource (plural, lower case) and subresource. */
  resource: string;
  subResource: string;
  namespace: string;
  name: string;
  namespaced: boolean;
  object: KubeObject | null;
  oldObject: KubeObject | null;
  /**
   * The object as the policies see it (its CEL form, with the API server's defaults): built only when
   * a policy matches, so objects no policy selects are never copied.
   */
  celObject?: () => unknown;
  userInfo: { username?: string; uid?: string; groups?: string[] };
  dryRun: boolean;
}

/** One policy decision, as the API server's dispatcher files it. */
export interface NativeDecision {
  policy: string;
  /** Undefined for a policy-level configuration error. */
  binding: string | undefined;
  action: 'Deny' | 'Warn' | 'Audit';
  message: string;
  /** The status reason of a denial (Invalid unless the validation names another). */
  reason: string;
  /** The evaluation failed (an error under failurePolicy Fail), rather than a validation. */
  error: boolean;
}

export interface NativeResult {
  decisions: NativeDecision[];
  /** The policies that judged the request (a binding matched), by name. */
  judgedBy: string[];
  /** auditAnnotations, keyed `<policy>/<key>`. */
  auditAnnotations: Record<string, string>;
}
