/**
 * The one JSON Schema of WorkloadProfile (berth.dev/v1alpha1). It is the CRD's openAPIV3Schema
 * (`npm run gen:crd` writes deploy/crds/) and what ajv checks offline and in the webhook; the
 * TypeScript types below are derived from it.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { QUANTITY_PATTERN } from '../../kube/quantity.js';

const quantity = { type: 'string', pattern: QUANTITY_PATTERN } as const;

const intOrPercent = {
  'x-kubernetes-int-or-string': true,
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: '^(\\d+%?)$',
} as const;

export const profileSpecSchema = {
  type: 'object',
  required: ['runtimeClass'],
  properties: {
    runtimeClass: {
      type: 'string',
      description: 'A runtime class defined in policies.yaml, such as general, batch or memory.',
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      maxLength: 63,
    },
    availability: {
      type: 'object',
      description: 'How many replicas run, and across zones.',
      properties: {
        minReplicas: {
          type: 'integer',
          minimum: 1,
          description: 'Replicas when the workload sets none; an explicit value below it is denied.',
        },
        zoneSpread: {
          type: 'string',
          enum: ['required', 'preferred', 'none'],
          description:
            'A zone topology spread (maxSkew 1): DoNotSchedule when required, ScheduleAnyway when preferred.',
        },
      },
    },
    scaling: {
      type: 'object',
      description: 'Bounds on replicas and on how fast they grow.',
      properties: {
        maxReplicas: {
          type: 'integer',
          minimum: 1,
          description: 'Explicit replicas, or an HPA maxReplicas, above it is denied.',
        },
        maxBurstPods: { type: 'integer', minimum: 1, description: 'Cap on rollout surge and HPA scale-up.' },
      },
    },
    compute: {
      type: 'object',
      description: 'Requests and limits for app containers that set none (explicit values are kept).',
      properties: {
        cpuRequest: { ...quantity, description: 'CPU request of each app container that sets none.' },
        memoryRequest: { ...quantity, description: 'Memory request of each app container that sets none.' },
        memoryLimit: { ...quantity, description: 'Default: memoryRequest × the class ratio.' },
        cpuLimit: { ...quantity, description: 'No CPU limit unless set.' },
        container: { type: 'string', description: 'The container the requests apply to.' },
      },
    },
    disruption: {
      type: 'object',
      description: 'The PodDisruptionBudget Berth generates: one of minAvailable or maxUnavailable.',
      properties: {
        minAvailable: { ...intOrPercent, description: 'Pods that must stay up: a count or a percentage.' },
        maxUnavailable: {
          ...intOrPercent,
          description: 'Pods that may be down at once: a count or a percentage.',
        },
      },
      not: { required: ['minAvailable', 'maxUnavailable'] },
    },
    cost: {
      type: 'object',
      description: 'What capacity the workload may run on.',
      properties: {
        spotAllowed: {
          type: 'boolean',
          description: 'false: required node affinity karpenter.sh/capacity-type In [on-demand].',
        },
      },
    },
  },
} as const;

const condition = {
  type: 'object',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string' },
    message: { type: 'string' },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer' },
  },
} as const;

export const profileStatusSchema = {
  type: 'object',
  properties: {
    observedGeneration: { type: 'integer' },
    conditions: { type: 'array', items: condition },
    boundWorkloads: { type: 'array', items: { type: 'string' } },
    boundCount: { type: 'integer' },
    compiled: {
      type: 'object',
      properties: {
        nodePools: { type: 'array', items: { type: 'string' } },
        pdb: { type: 'string' },
        disruptionsAllowedAtMinReplicas: { type: 'integer' },
      },
    },
  },
} as const;

export const profileSchema = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: profileSpecSchema,
    status: profileStatusSchema,
  },
} as const;

export type WorkloadProfileSpec = FromSchema<typeof profileSpecSchema>;
export type WorkloadProfileStatus = FromSchema<typeof profileStatusSchema>;

export interface WorkloadProfile {
  apiVersion: string;
  kind: 'WorkloadProfile';
  metadata: { name: string; namespace?: string; resourceVersion?: string; generation?: number };
  spec: WorkloadProfileSpec;
  status?: WorkloadProfileStatus;
}

export const PROFILE_GROUP = 'berth.dev';
export const PROFILE_VERSION = 'v1alpha1';
export const PROFILE_API_VERSION = `${PROFILE_GROUP}/${PROFILE_VERSION}`;
