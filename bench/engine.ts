/**
 * npm run bench:engine — compile + evaluate a realistic Deployment against the full rule set in a loop,
 * on one core, and print evaluations per second and heap used. Goal: ≥ 20,000 evaluations/s.
 * Options: --seconds N (measure time, default 5), --json.
 */
import { parseArgs } from 'node:util';
import { builtinCatalog } from '../src/provisioner/catalog/catalog.js';
import { compile } from '../src/policies/compile/compile.js';
import { evaluate } from '../src/policies/engine.js';
import { defaultPolicies } from '../src/policies/policies.js';
import { StaticClusterView } from '../src/policies/view.js';
import { loadObjects } from '../src/cli/inputs.js';
import { defaultNodePoolsPath } from '../src/cli/session.js';
import type { KubeObject } from '../src/kube/objects.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
});
const seconds = Number(values.seconds);

const policies = defaultPolicies();
const pools = loadObjects([defaultNodePoolsPath()]);
if (!pools.ok) throw new Error('cannot load NodePools');
const profile = {
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
const deployment: KubeObject = {
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
const neighbours: KubeObject[] = [
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
const view = new StaticClusterView(builtinCatalog(), [
  ...pools.objects.map((o) => o.object),
  profile,
  ...neighbours,
]);
const opts = { today: '2026-11-21' };

function once(): boolean {
  const compiled = compile(deployment, profile, policies, view.nodePools);
  return evaluate(compiled.object, view, policies, opts).allowed;
}

function loop(ms: number): number {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) once();
    n += 100;
  }
  return n;
}

const sample = once();
loop(1500); // warm up the JIT and the instance-type cache
globalThis.gc?.();
const start = performance.now();
const n = loop(seconds * 1000);
const elapsed = (performance.now() - start) / 1000;
const mem = process.memoryUsage();
const result = {
  evaluationsPerSecond: Math.round(n / elapsed),
  microsPerEvaluation: Math.round((elapsed / n) * 1e6 * 10) / 10,
  heapUsedMiB: Math.round((mem.heapUsed / 2 ** 20) * 10) / 10,
  rssMiB: Math.round((mem.rss / 2 ** 20) * 10) / 10,
  evaluations: n,
  seconds: Math.round(elapsed * 100) / 100,
  rules: 30,
  verdictAllowed: sample,
  node: process.version,
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(
    'bench:engine — compile + evaluate one Deployment (2 containers, profile, PDB, HPA, 7 NodePools, 1,363 instance types)',
  );
  console.log(`  evaluations/s   ${result.evaluationsPerSecond.toLocaleString('en-US')}   (goal ≥ 20,000)`);
  console.log(`  µs/evaluation   ${result.microsPerEvaluation}`);
  console.log(`  heap used       ${result.heapUsedMiB} MiB   rss ${result.rssMiB} MiB`);
  console.log(
    `  ${result.evaluations.toLocaleString('en-US')} evaluations in ${result.seconds}s, verdict allowed=${String(sample)}, ${process.version}`,
  );
}
