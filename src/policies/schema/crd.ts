/** The WorkloadProfile CustomResourceDefinition, built from the one schema. */
import { PROFILE_GROUP, PROFILE_VERSION, profileSchema } from './profile-schema.js';

export function workloadProfileCrd(): Record<string, unknown> {
  const { required, properties } = profileSchema;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `workloadprofiles.${PROFILE_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'berth' } },
    spec: {
      group: PROFILE_GROUP,
      scope: 'Namespaced',
      names: {
        kind: 'WorkloadProfile',
        listKind: 'WorkloadProfileList',
        plural: 'workloadprofiles',
        singular: 'workloadprofile',
        shortNames: ['wp'],
        categories: ['berth'],
      },
      versions: [
        {
          name: PROFILE_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Class', type: 'string', jsonPath: '.spec.runtimeClass' },
            { name: 'Min', type: 'integer', jsonPath: '.spec.availability.minReplicas' },
            { name: 'Max', type: 'integer', jsonPath: '.spec.scaling.maxReplicas' },
            { name: 'Spot', type: 'boolean', jsonPath: '.spec.cost.spotAllowed' },
            { name: 'Bound', type: 'integer', jsonPath: '.status.boundCount' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              description:
                'WorkloadProfile: what a workload needs (runtime class, availability, scaling, compute, disruption, cost). Berth compiles it into every workload labelled berth.dev/profile: <name>.',
              type: 'object',
              required,
              properties,
            },
          },
        },
      ],
    },
  };
}
