/**
 * The shape of the objects Berth judges, as far as its rules read them: one JSON Schema per kind, types
 * only (a field Berth does not read may hold anything). The API server decodes every object into its Go
 * type before admission, so what it sends always has this shape; a body with a list where a map
 * belongs, a string for `replicas` or a `null` field comes from elsewhere and gets a 400 that names the
 * field, instead of a verdict computed from a misread value.
 */
import type { ValidateFunction } from 'ajv';
import { pointerToPath } from '../policies/schema/validate.js';
import { validatorOf } from '../util/precompiled.js';
import { nodePoolIssue } from '../scheduling/nodepool-validation.js';
import { overlayIssue } from '../scheduling/node-overlay-validation.js';

const INT32 = { type: 'integer', minimum: -2147483648, maximum: 2147483647 } as const;
const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const strings = { type: 'array', items: str } as const;
const strMap = { type: 'object', additionalProperties: str } as const;
const intOrString = { type: ['integer', 'string'] } as const;
const quantities = { type: 'object', additionalProperties: { type: ['string', 'number'] } } as const;
const obj = (properties: Record<string, unknown>) => ({ type: 'object', properties }) as const;
const list = (items: unknown) => ({ type: 'array', items }) as const;

const selector = obj({
  matchLabels: strMap,
  matchExpressions: list(obj({ key: str, operator: str, values: strings })),
});
const nodeSelectorTerms = list(
  obj({
    matchExpressions: list(obj({ key: str, operator: str, values: strings })),
    matchFields: list(obj({ key: str, operator: str, values: strings })),
  }),
);
const podAffinityTerm = obj({
  labelSelector: selector,
  namespaceSelector: selector,
  namespaces: strings,
  topologyKey: str,
  matchLabelKeys: strings,
  mismatchLabelKeys: strings,
});
const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: list(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: list(obj({ weight: INT32, podAffinityTerm })),
});
const container = obj({ name: str, resources: obj({ requests: quantities, limits: quantities }) });
const metadata = obj({
  name: str,
  generateName: str,
  namespace: str,
  uid: str,
  resourceVersion: str,
  labels: strMap,
  annotations: strMap,
  ownerReferences: list(obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool })),
});
const podSpec = obj({
  containers: list(container),
  initContainers: list(container),
  nodeSelector: strMap,
  nodeName: str,
  tolerations: list(
    obj({ key: str, operator: str, value: str, effect: str, tolerationSeconds: { type: 'integer' } }),
  ),
  affinity: obj({
    nodeAffinity: obj({
      requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms }),
      preferredDuringSchedulingIgnoredDuringExecution: list(obj({ weight: INT32 })),
    }),
    podAffinity,
    podAntiAffinity: podAffinity,
  }),
  topologySpreadConstraints: list(
    obj({
      maxSkew: INT32,
      minDomains: INT32,
      topologyKey: str,
      whenUnsatisfiable: str,
      labelSelector: selector,
      matchLabelKeys: strings,
    }),
  ),
  volumes: list(obj({ name: str, emptyDir: obj({ medium: str }), hostPath: obj({ path: str }) })),
  terminationGracePeriodSeconds: { type: 'integer' },
  overhead: quantities,
  // Pod-level resources (PodLevelResources, beta since Kubernetes 1.34).
  resources: obj({ requests: quantities, limits: quantities }),
  restartPolicy: str,
});
const template = obj({ metadata, spec: podSpec });
const replicated = obj({
  metadata,
  spec: obj({ replicas: INT32, selector, template, minReadySeconds: INT32 }),
});
const jobSpec = obj({ parallelism: INT32, completions: INT32, selector, template });

/** Exported for the build, which compiles them ahead (scripts/copy-assets.mjs). */
export const SHAPE_SCHEMAS: Record<string, unknown> = {
  Pod: obj({ metadata, spec: podSpec }),
  Deployment: replicated,
  StatefulSet: replicated,
  ReplicaSet: replicated,
  ReplicationController: obj({
    metadata,
    spec: obj({ replicas: INT32, selector: strMap, template, minReadySeconds: INT32 }),
  }),
  DaemonSet: obj({ metadata, spec: obj({ selector, template }) }),
  Job: obj({ metadata, spec: jobSpec }),
  CronJob: obj({ metadata, spec: obj({ schedule: str, jobTemplate: obj({ metadata, spec: jobSpec }) }) }),
  PodDisruptionBudget: obj({
    metadata,
    spec: obj({
      minAvailable: intOrString,
      maxUnavailable: intOrString,
      selector,
      unhealthyPodEvictionPolicy: str,
    }),
  }),
  HorizontalPodAutoscaler: obj({
    metadata,
    spec: obj({
      scaleTargetRef: obj({ apiVersion: str, kind: str, name: str }),
      minReplicas: INT32,
      maxReplicas: INT32,
      behavior: obj({
        scaleUp: obj({ policies: list(obj({ type: str, value: INT32, periodSeconds: INT32 })) }),
        scaleDown: obj({ policies: list(obj({ type: str, value: INT32, periodSeconds: INT32 })) }),
      }),
    }),
  }),
  // A WorkloadProfile's own schema (profile-schema) is checked by the profile-schema rule; here only
  // the metadata every rule reads.
  WorkloadProfile: obj({ metadata, spec: { type: 'object' } }),
  // What Berth reads of a Karpenter NodePool, as Karpenter's CRD validates it (group: no slash, as in
  // `karpenter.k8s.aws`, never `karpenter.k8s.aws/v1`).
  NodePool: obj({
    metadata,
    spec: obj({
      replicas: { type: 'integer', minimum: 0 },
      weight: { type: 'integer', minimum: 1, maximum: 100 },
      limits: quantities,
      template: obj({
        metadata: obj({ labels: strMap, annotations: strMap }),
        spec: obj({
          nodeClassRef: {
            type: 'object',
            required: ['group', 'kind', 'name'],
            properties: { group: { type: 'string', pattern: '^[^/]*$' }, kind: str, name: str },
          },
          requirements: list(obj({ key: str, operator: str, values: strings, minValues: INT32 })),
        }),
      }),
    }),
  }),
  // Karpenter's NodeOverlay (karpenter.sh/v1alpha1): the field types; its CEL rules in overlayIssue.
  NodeOverlay: obj({
    metadata,
    spec: obj({
      requirements: list(obj({ key: str, operator: str, values: strings })),
      price: str,
      priceAdjustment: str,
      capacity: quantities,
      weight: INT32,
    }),
  }),
};

/** The options the shape validators are compiled with (here and by the build). */
export const SHAPE_OPTIONS = { allErrors: false, strict: false } as const;

/** A kind's validator, compiled when the kind is first met (a CLI run that meets two kinds compiles two). */
function validatorFor(kind: string): ValidateFunction | undefined {
  const schema = Object.hasOwn(SHAPE_SCHEMAS, kind) ? SHAPE_SCHEMAS[kind] : undefined;
  if (schema === undefined) return undefined;
  return validatorOf('shapes', kind, {
    options: SHAPE_OPTIONS,
    formats: false,
    schema: () => schema as object,
  });
}

/** The first place `object` differs from what a `kind` holds: a JSON pointer and why. */
export function shapeIssue(kind: string, object: unknown): { pointer: string; message: string } | undefined {
  const validate = validatorFor(kind);
  if (!validate) return undefined;
  if (validate(object))
    return kind === 'NodePool'
      ? nodePoolIssue(object)
      : kind === 'NodeOverlay'
        ? overlayIssue(object)
        : undefined;
  const e = validate.errors?.[0];
  if (!e) return undefined;
  return { pointer: e.instancePath, message: `${e.message ?? 'is invalid'} (as a ${kind} holds it)` };
}

/** Why `object` cannot be an object of `kind` as the API server would send it; undefined when it can. */
export function shapeProblem(
  kind: string,
  object: unknown,
  field: 'object' | 'oldObject',
): string | undefined {
  const issue = shapeIssue(kind, object);
  if (!issue) return undefined;
  const path = pointerToPath(issue.pointer);
  return `request.${field}${path === '' ? '' : path.startsWith('[') ? path : `.${path}`} ${issue.message}`;
}
