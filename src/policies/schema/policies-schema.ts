/** The JSON Schema of policies.yaml; its TypeScript types are derived from it. */
import type { FromSchema } from 'json-schema-to-ts';
import { MODES, RULE_IDS, type RuleId } from '../rules/ids.js';
import { paramsSchema } from '../rules/params.js';
import { nodeCostSchema } from './node-cost-schema.js';
import { consolidationSchema } from './consolidation-schema.js';

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
    description: { type: 'string', description: 'What the class is for, in words.' },
    nodePools: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description: "The Karpenter NodePools the class's workloads are placed on.",
    },
    nodeSelector: { ...labelMap, description: 'Node labels compiled into the workloads of the class.' },
    tolerations: {
      type: 'array',
      items: toleration,
      description: "Tolerations compiled into the workloads of the class (for its NodePools' taints).",
    },
    spotAllowed: { type: 'boolean', description: 'Whether workloads of the class may run on spot capacity.' },
    consolidates: {
      type: 'boolean',
      description: "Whether the class's nodes are consolidated (its pods moved to cheaper nodes).",
    },
    memoryLimitRatio: {
      type: 'number',
      minimum: 1,
      description: 'The memory limit compiled in when a profile sets none: memoryRequest × this.',
    },
    surgeFirst: {
      type: 'boolean',
      description:
        'A single-replica Deployment of the class that can surge (maxSurge ≥ 1, maxUnavailable 0) is moved off a node being disrupted as kubectl rollout restart moves it — its new pod Ready before the old one stops — instead of evicted (default false).',
    },
    minSavingsPercent: {
      type: 'number',
      minimum: 0,
      maximum: 100,
      description:
        "For the class's NodePools, provisioner.consolidation.minSavingsPercent: the share of the removed nodes' price a replacing consolidation must save (where several classes name a NodePool, the largest).",
    },
  },
} as const;

const ruleConfig = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: {
      enum: MODES,
      description: 'enforce denies, warn prints Warning: in kubectl, audit records only.',
    },
    params: { ...params, description: "The rule's thresholds (docs/reference/rules.md)." },
    overrides: {
      type: 'array',
      description: 'Another mode or params where a namespace or class matches; the last match wins.',
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
    region: {
      type: 'string',
      description:
        "The cluster's AWS region: its zones, prices and Auto Mode offering (default: --region, else the region of `zones`, else us-east-1).",
    },
    zones: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description: "The cluster's zones, where capacity is offered (default: the catalog region's zones).",
    },
    runtimeClasses: {
      type: 'object',
      description: 'The workload classes profiles name, each mapped to NodePools.',
      propertyNames: { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
      additionalProperties: runtimeClass,
    },
    rules: {
      type: 'object',
      propertyNames: { enum: RULE_IDS },
      additionalProperties: ruleConfig,
      description: 'Rule id → mode, params and overrides.',
    },
    exemptions: {
      type: 'object',
      additionalProperties: false,
      description: "The only exemptions: labels on users' own objects exempt nothing.",
      properties: {
        namespaces: { type: 'array', items: { type: 'string' }, description: 'Never evaluated.' },
        objects: {
          type: 'array',
          items: objectExemption,
          description: 'One object excused from one rule (or *), with a reason and an optional expiry.',
        },
      },
    },
    requiredLabels: {
      type: 'array',
      items: { type: 'string' },
      description: 'Labels every workload must carry (rule required-labels).',
    },
    defaultProfiles: {
      ...labelMap,
      description: 'Namespace → the profile its unlabelled workloads are compiled against.',
    },
    nativePolicies: {
      type: 'object',
      additionalProperties: false,
      description: 'What the API server enforces itself, with every Berth replica down.',
      properties: {
        rules: {
          type: 'boolean',
          description:
            'true: berth serve keeps the rules that need only the object, its namespace and params applied as ValidatingAdmissionPolicies (berth policies vap), and its webhook leaves them to the API server (default false).',
        },
      },
    },
    removed: {
      type: 'object',
      additionalProperties: false,
      description:
        'What a live reload may take away from the running policy; anything else missing is refused.',
      properties: {
        runtimeClasses: { type: 'array', items: { type: 'string' } },
        rules: { type: 'array', items: { enum: RULE_IDS } },
        overrides: { type: 'array', items: { enum: RULE_IDS } },
      },
    },
    cluster: {
      type: 'object',
      additionalProperties: false,
      description: "The cluster's API server as Berth models it (EKS's defaults when absent).",
      properties: {
        admissionPlugins: {
          type: 'array',
          items: { enum: ['ExtendedResourceToleration'] },
          uniqueItems: true,
          description: 'The admission plugins that change pods (default [ExtendedResourceToleration]).',
        },
      },
    },
    provisioner: {
      type: 'object',
      additionalProperties: false,
      description: "The provisioner's settings.",
      properties: {
        mode: {
          enum: ['berth', 'karpenter', 'off'],
          description: 'berth: Berth buys and gives back nodes; karpenter: Karpenter does; off: nobody here.',
        },
        cloudProvider: { enum: ['aws', 'simulated'], description: 'Where nodes are bought.' },
        batchIdleSeconds: {
          type: 'number',
          minimum: 0,
          maximum: 10,
          description: 'A round starts once new pods stop arriving for this long (default 0.1).',
        },
        batchMaxSeconds: {
          type: 'number',
          minimum: 0,
          maximum: 60,
          description: 'A round starts at the latest this long after the first pod (default 2).',
        },
        batchWindowSeconds: {
          type: 'number',
          minimum: 0,
          maximum: 60,
          description: 'Before batchIdleSeconds and batchMaxSeconds: read as batchMaxSeconds.',
        },
        maxPodsPerRound: {
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
          description: 'Pods one round plans; the rest wait for the next (default 20,000).',
        },
        schedulingGates: {
          type: 'boolean',
          description:
            'Pods wait behind a scheduling gate until the capacity planned for them joins (default true).',
        },
        pinToPlannedNode: {
          type: 'boolean',
          description: 'A gate comes off with a pin to the planned Node, not a preference (default true).',
        },
        nodeCost: nodeCostSchema,
        nodeRepair: {
          type: 'boolean',
          description:
            "Replace nodes whose Ready (or a Node Monitoring Agent condition) stays bad past its toleration, as Karpenter's NodeRepair gate does (default false, as that gate).",
        },
        consolidation: consolidationSchema,
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
