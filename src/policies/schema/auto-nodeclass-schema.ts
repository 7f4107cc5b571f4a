/**
 * EKS Auto Mode's NodeClass (eks.amazonaws.com/v1), as AWS documents its fields (EKS user guide,
 * "Create a Node Class", "Node Class Specification"): the shape `berth migrate` checks every NodeClass
 * it prints against, and the CRD deploy/auto-mode-crds/ holds for clusters without Auto Mode (tests,
 * kind). On EKS, AWS installs the real definition.
 */
const str = { type: 'string' } as const;
const strMap = { type: 'object', additionalProperties: str } as const;

const term = (idPattern: string, name: boolean) => ({
  type: 'object',
  properties: {
    tags: strMap,
    id: { type: 'string', pattern: idPattern },
    ...(name ? { name: str } : {}),
  },
  minProperties: 1,
});

export const AUTO_NODECLASS_GROUP = 'eks.amazonaws.com';
export const AUTO_NODECLASS_VERSION = 'v1';

export const autoNodeClassSpecSchema = {
  type: 'object',
  properties: {
    role: str,
    instanceProfile: str,
    subnetSelectorTerms: { type: 'array', maxItems: 30, items: term('^subnet-[0-9a-z]+$', false) },
    securityGroupSelectorTerms: { type: 'array', maxItems: 30, items: term('^sg-[0-9a-z]+$', true) },
    podSubnetSelectorTerms: { type: 'array', maxItems: 30, items: term('^subnet-[0-9a-z]+$', false) },
    podSecurityGroupSelectorTerms: { type: 'array', maxItems: 30, items: term('^sg-[0-9a-z]+$', true) },
    capacityReservationSelectorTerms: { type: 'array', items: term('^cr-[0-9a-z]+$', false) },
    snatPolicy: { type: 'string', enum: ['Random', 'Disabled'] },
    networkPolicy: { type: 'string', enum: ['DefaultAllow', 'DefaultDeny'] },
    networkPolicyEventLogs: { type: 'string', enum: ['Enabled', 'Disabled'] },
    ephemeralStorage: {
      type: 'object',
      properties: {
        size: { type: 'string', pattern: '^[0-9]+(Gi|G|Ti|T)$' },
        iops: { type: 'integer', minimum: 3000, maximum: 16000 },
        throughput: { type: 'integer', minimum: 125, maximum: 1000 },
        kmsKeyID: str,
      },
    },
    advancedNetworking: {
      type: 'object',
      properties: {
        httpsProxy: { type: 'string', maxLength: 255 },
        noProxy: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 255 } },
      },
    },
    certificateBundles: {
      type: 'array',
      items: { type: 'object', required: ['name', 'data'], properties: { name: str, data: str } },
    },
    advancedSecurity: { type: 'object', properties: { fips: { type: 'boolean' } } },
    tags: strMap,
  },
  not: { required: ['role', 'instanceProfile'] },
} as const;

/** The whole object, as `berth migrate` checks it. */
export const autoNodeClassSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: `${AUTO_NODECLASS_GROUP}/${AUTO_NODECLASS_VERSION}` },
    kind: { const: 'NodeClass' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', not: { const: 'default' } } },
    },
    spec: autoNodeClassSpecSchema,
  },
} as const;

/** The CRD (structural: the API server wants `not` free schemas, so role-or-profile is a CEL rule). */
export function autoNodeClassCrd(): Record<string, unknown> {
  const spec: Record<string, unknown> = { ...autoNodeClassSpecSchema };
  Reflect.deleteProperty(spec, 'not');
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `nodeclasses.${AUTO_NODECLASS_GROUP}` },
    spec: {
      group: AUTO_NODECLASS_GROUP,
      scope: 'Cluster',
      names: { kind: 'NodeClass', listKind: 'NodeClassList', plural: 'nodeclasses', singular: 'nodeclass' },
      versions: [
        {
          name: AUTO_NODECLASS_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: str,
                kind: str,
                metadata: { type: 'object' },
                spec: {
                  ...spec,
                  'x-kubernetes-validations': [
                    {
                      rule: '!(has(self.role) && has(self.instanceProfile))',
                      message: 'role and instanceProfile are exclusive',
                    },
                  ],
                },
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
        },
      ],
    },
  };
}
