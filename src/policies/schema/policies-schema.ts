/** The JSON Schema of policies.yaml; its TypeScript types are derived from it. */
import type { FromSchema } from 'json-schema-to-ts';
import { MODES, RULE_IDS, type RuleId } from '../rules/ids.js';
import { paramsSchema } from '../rules/params.js';

const labelMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

const labelSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: labelMap,
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string' },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const toleration = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string' },
    operator: { enum: ['Equal', 'Exists'] },
    value: { type: 'string' },
    effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute', ''] },
    tolerationSeconds: { type: 'integer' },
  },
} as const;

const params = {
  type: 'object',
  additionalProperties: { type: ['number', 'string', 'boolean', 'array'] },
} as const;

const runtimeClass = {
  type: 'object',
  additionalProperties: false,
  required: ['nodePools'],
  properties: {
    description: { type: 'string' },
    nodePools: { type: 'array', minItems: 1, items: { type: 'string' } },
    nodeSelector: labelMap,
    tolerations: { type: 'array', items: toleration },
    spotAllowed: { type: 'boolean' },
    consolidates: { type: 'boolean' },
    memoryLimitRatio: { type: 'number', minimum: 1 },
  },
} as const;

const ruleConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: MODES },
    params,
    overrides: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          namespaceSelector: labelSelector,
          namespaces: { type: 'array', items: { type: 'string' } },
          runtimeClasses: { type: 'array', items: { type: 'string' } },
          mode: { enum: MODES },
          params,
        },
      },
    },
  },
} as const;

const objectExemption = {
  type: 'object',
  additionalProperties: false,
  required: ['rule', 'kind', 'namespace', 'name', 'reason'],
  properties: {
    rule: { enum: [...RULE_IDS, '*'] },
    kind: { type: 'string' },
    namespace: { type: 'string' },
    name: { type: 'string' },
    reason: { type: 'string', minLength: 1 },
    expires: { type: 'string', format: 'date' },
  },
} as const;

export const policiesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['runtimeClasses'],
  properties: {
    apiVersion: { const: 'berth.dev/v1alpha1' },
    kind: { const: 'Policies' },
    zones: { type: 'array', minItems: 1, items: { type: 'string' } },
    runtimeClasses: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
      additionalProperties: runtimeClass,
    },
    rules: { type: 'object', propertyNames: { enum: RULE_IDS }, additionalProperties: ruleConfig },
    exemptions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        namespaces: { type: 'array', items: { type: 'string' } },
        objects: { type: 'array', items: objectExemption },
      },
    },
    requiredLabels: { type: 'array', items: { type: 'string' } },
    defaultProfiles: labelMap,
    removed: {
      type: 'object',
      additionalProperties: false,
      properties: {
        runtimeClasses: { type: 'array', items: { type: 'string' } },
        rules: { type: 'array', items: { enum: RULE_IDS } },
        overrides: { type: 'array', items: { enum: RULE_IDS } },
      },
    },
    /** The cluster's API server as Berth models it (EKS's defaults when absent). */
    cluster: {
      type: 'object',
      additionalProperties: false,
      properties: {
        admissionPlugins: {
          type: 'array',
          items: { enum: ['ExtendedResourceToleration'] },
          uniqueItems: true,
        },
      },
    },
    provisioner: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: ['berth', 'karpenter', 'off'] },
        cloudProvider: { enum: ['aws', 'simulated'] },
        batchIdleSeconds: { type: 'number', minimum: 0, maximum: 10 },
        batchMaxSeconds: { type: 'number', minimum: 0, maximum: 60 },
        /** Before batchIdleSeconds/batchMaxSeconds: read as batchMaxSeconds. */
        batchWindowSeconds: { type: 'number', minimum: 0, maximum: 60 },
        maxPodsPerRound: { type: 'integer', minimum: 1, maximum: 1000000 },
        /** Pods wait behind a scheduling gate until the capacity planned for them joins (default true). */
        schedulingGates: { type: 'boolean' },
        /** A gate comes off with a pin to the planned Node, not a preference (default true). */
        pinToPlannedNode: { type: 'boolean' },
        consolidation: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: { type: 'boolean' },
            consolidateAfterSeconds: { type: 'number', minimum: 0 },
            spotToSpot: { type: 'boolean' },
          },
        },
      },
    },
  },
} as const;

export type PoliciesDocument = FromSchema<typeof policiesSchema>;
export type RuntimeClassConfig = FromSchema<typeof runtimeClass>;
export type RuleConfig = FromSchema<typeof ruleConfig>;
export type ObjectExemption = FromSchema<typeof objectExemption>;
export type RuleParams = FromSchema<typeof params>;

/**
 * The schema policies.yaml is validated with: the document's, with each rule's `params` (its own and
 * its overrides') held to that rule's params schema (rules/params.ts).
 */
export function strictPoliciesSchema(): object {
  const withParams = (id: RuleId) => {
    const p = paramsSchema(id);
    const overrides = ruleConfig.properties.overrides;
    return {
      ...ruleConfig,
      properties: {
        ...ruleConfig.properties,
        params: p,
        overrides: {
          ...overrides,
          items: { ...overrides.items, properties: { ...overrides.items.properties, params: p } },
        },
      },
    };
  };
  return {
    ...policiesSchema,
    properties: {
      ...policiesSchema.properties,
      rules: {
        type: 'object',
        propertyNames: { enum: RULE_IDS },
        properties: Object.fromEntries(RULE_IDS.map((id) => [id, withParams(id)])),
      },
    },
  };
}
