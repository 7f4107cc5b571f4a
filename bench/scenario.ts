/** The realistic review both benchmarks use: a Deployment bound to a profile, with a PDB, an HPA, a
 * production namespace, the seven default NodePools and the built-in catalog of instance types. */
import { builtinCatalog } from '../src/catalog/catalog.js';
import { defaultPolicies } from '../src/policies/policies.js';
import { StaticClusterView } from '../src/policies/view.js';
import { loadObjects } from '../src/inputs/objects.js';
import { defaultNodePoolsPath } from '../src/inputs/session.js';
import type { KubeObject } from '../src/kube/objects.js';

export const policies = defaultPolicies();
const pools = loadObjects([defaultNodePoolsPath()]);
if (!pools.ok) throw new Error('cannot load NodePools');
export const profile = {
  apiVersion: 'berth.dev/v1alpha1',
  kind: 'WorkloadProfile',
  metadata: { name: 'checkout', namespace: 'payments', resourceVersion: '4711' },
  spec: {
    runtimeClass: 'general',
    availability: { minReplicas: 3, zoneSpread: 'required' },
    scaling: { maxReplicas: 50, maxBurstPods: 10 },
    compute: { cpuRequest: '500m', memoryRequest: '768Mi' },
    disruption: { maxUnavailable: 1 },
    cost: { spotAllowed: false },
  },
} as const;
export const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'checkout',
    namespace: 'payments',
    labels: { 'app.kubernetes.io/name': 'checkout', 'berth.dev/profile': 'checkout', team: 'payments' },
  },
  spec: {
    selector: { matchLabels: { app: 'checkout' } },
    template: {
      metadata: {
        labels: { app: 'checkout', version: 'v42' },
        annotations: { 'prometheus.io/scrape': 'true' },
      },
      spec: {
        serviceAccountName: 'checkout',
        terminationGracePeriodSeconds: 45,
        containers: [
          {
            name: 'app',
            image: 'registry.example.com/payments/checkout:1.42.0',
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'MODE', value: 'prod' }],
            readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          },
          {
            name: 'envoy',
            image: 'envoyproxy/envoy:v1.31',
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          },
        ],
        volumes: [{ name: 'config', configMap: { name: 'checkout' } }],
      },
    },
  },
};
export const neighbours: KubeObject[] = [
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'other', namespace: 'payments' },
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'ledger' } } },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'checkout', namespace: 'payments' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
      minReplicas: 3,
      maxReplicas: 40,
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'payments', labels: { 'berth.dev/tier': 'production' } },
  },
];
export const view = new StaticClusterView(builtinCatalog(), [
  ...pools.objects.map((o) => o.object),
  profile,
  ...neighbours,
]);
