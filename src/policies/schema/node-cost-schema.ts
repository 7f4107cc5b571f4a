/** policies.yaml `provisioner.nodeCost`: what a node costs beside its instance, in the solver's objective. */
export const nodeCostSchema = {
  type: 'object',
  additionalProperties: false,
  description:
    "What a node costs beside its instance, in the solver's objective (its EBS volumes are priced from its EC2NodeClass).",
  properties: {
    perNodePerHour: {
      type: 'number',
      minimum: 0,
      maximum: 100,
      description:
        'USD per node-hour the platform pays per host: agents licensed per node, IP addresses (default 0; $15–25 a host a month is 0.02–0.035).',
    },
    preferFewerNodesWithin: {
      type: 'number',
      minimum: 0,
      maximum: 0.5,
      description:
        'Among plans within this fraction of the cheapest, the one with fewer nodes (default 0.01).',
    },
  },
} as const;
