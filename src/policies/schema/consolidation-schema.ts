/** policies.yaml `provisioner.consolidation`: whether and how Berth disrupts. */
export const consolidationSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Disruption: consolidation, drift and expiration.',
  properties: {
    enabled: { type: 'boolean', description: 'Whether disruption runs at all.' },
    consolidateAfterSeconds: {
      type: 'number',
      minimum: 0,
      description: 'The consolidateAfter of NodePools that set none.',
    },
    spotToSpot: {
      type: 'boolean',
      description: 'Whether a spot node may be replaced by cheaper spot (default false).',
    },
    returningPodsWindowSeconds: {
      type: 'number',
      minimum: 0,
      description:
        'A Deployment or StatefulSet that came back after shrinking within this many seconds keeps room for its peak of them: the nodes that hold it are not removed (default 300; 0 turns it off).',
    },
    minSavingsPercent: {
      type: 'number',
      minimum: 0,
      maximum: 100,
      description:
        "A consolidation that replaces nodes (its pods need new capacity, or empty nodes kept) must save at least this share of the removed nodes' price; deleting nodes outright always may (default 30: a step down in size, about 50%, passes; a hop to another family of the same size does not; 0 is Karpenter's any saving). runtimeClasses.<class>.minSavingsPercent sets it for the class's NodePools.",
    },
  },
} as const;
