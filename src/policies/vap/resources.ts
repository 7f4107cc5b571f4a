/**
 * What Berth's webhooks are sent (deploy/berth/webhooks.yaml), as the generated policies' match
 * constraints and conditions: a generated policy judges exactly what the webhook would have. Pure data.
 */
export interface ResourceRule {
  apiGroups: string[];
  apiVersions: string[];
  operations: string[];
  resources: string[];
  scope: 'Namespaced' | 'Cluster';
}

const WRITE = ['CREATE', 'UPDATE'];

export const PODS: ResourceRule = {
  apiGroups: [''],
  apiVersions: ['v1'],
  operations: ['CREATE'],
  resources: ['pods'],
  scope: 'Namespaced',
};

/** validate.berth.dev's workload kinds. */
export const WORKLOAD_RESOURCES: readonly ResourceRule[] = [
  {
    apiGroups: ['apps'],
    apiVersions: ['v1'],
    operations: WRITE,
    resources: ['deployments', 'statefulsets', 'replicasets'],
    scope: 'Namespaced',
  },
  {
    apiGroups: ['batch'],
    apiVersions: ['v1'],
    operations: WRITE,
    resources: ['jobs', 'cronjobs'],
    scope: 'Namespaced',
  },
  PODS,
  {
    apiGroups: [''],
    apiVersions: ['v1'],
    operations: WRITE,
    resources: ['replicationcontrollers'],
    scope: 'Namespaced',
  },
];

export const NODEPOOLS: ResourceRule = {
  apiGroups: ['karpenter.sh'],
  apiVersions: ['v1'],
  operations: WRITE,
  resources: ['nodepools'],
  scope: 'Cluster',
};
export const EC2_NODECLASSES: ResourceRule = {
  apiGroups: ['karpenter.k8s.aws'],
  apiVersions: ['v1'],
  operations: WRITE,
  resources: ['ec2nodeclasses'],
  scope: 'Cluster',
};
export const NODECLASSES: readonly ResourceRule[] = [
  EC2_NODECLASSES,
  {
    apiGroups: ['eks.amazonaws.com'],
    apiVersions: ['v1'],
    operations: WRITE,
    resources: ['nodeclasses'],
    scope: 'Cluster',
  },
];

/** validate.berth.dev's conditions: a controlled object is judged through its owner. */
export const NOT_CONTROLLED =
  '!has(object.metadata.ownerReferences) || !object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller)';

const field = (root: string, map: 'labels' | 'annotations', key: string): string =>
  `(has(${root}.metadata.${map}) && '${key}' in ${root}.metadata.${map} ? ${root}.metadata.${map}['${key}'] : '')`;

/** validate.berth.dev's conditions: an UPDATE that leaves the spec and Berth's own labels alone is not judged. */
export const SPEC_CHANGED = [
  "request.operation != 'UPDATE'",
  'object.spec != oldObject.spec',
  ...(
    [
      ['labels', 'berth.dev/profile'],
      ['labels', 'berth.dev/runtime-class'],
      ['annotations', 'berth.dev/instance-type-reason'],
    ] as const
  ).map(([map, key]) => `${field('object', map, key)} != ${field('oldObject', map, key)}`),
].join(' || ');

/** Namespaces no webhook is sent (beside policies.yaml's exemptions). */
export const UNSENT_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];
