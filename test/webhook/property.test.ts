/**
 * Seeded structural fuzzing of reviews through both webhooks: every answer is either a well-formed
 * AdmissionReview echoing the uid or a 4xx with a reason — never a 5xx, an internal error, or an answer
 * past the deadline. CI runs 1,500 cases; `npm run fuzz` runs many more (FUZZ_CASES, FUZZ_SEED).
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { examplesView, review, testApp, yamlObject } from './harness.js';
import { seededRandom } from '../../src/util/seeded.js';

const seedObjects = [
  yamlObject(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: payments, labels: { berth.dev/profile: checkout } }
spec: { replicas: 2, selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: a, image: nginx }] } } }
`),
  yamlObject(`
apiVersion: berth.dev/v1alpha1
kind: WorkloadProfile
metadata: { name: p, namespace: payments }
spec: { runtimeClass: general, availability: { minReplicas: 3 }, disruption: { minAvailable: 80% } }
`),
  yamlObject(`
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: payments, labels: { berth.dev/profile: checkout } }
spec:
  replicas: 3
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers: [{ name: a, image: pg, resources: { requests: { cpu: 1, memory: 1E }, limits: { memory: 1Ei } } }]
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: karpenter.k8s.aws/instance-cpu, operator: Gt, values: ["4"] }] }] } } }
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: { matchLabels: { app: db } } }]
`),
  yamlObject(`
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: payments }
spec: { schedule: "0 1 * * *", jobTemplate: { spec: { parallelism: 2147483647, template: { spec: { restartPolicy: Never, containers: [{ name: a, image: x }] } } } } }
`),
  yamlObject(`
apiVersion: v1
kind: Pod
metadata: { name: solo, namespace: payments, ownerReferences: null, annotations: { karpenter.sh/do-not-disrupt: "true" } }
spec: { containers: [{ name: a, image: x, resources: { limits: { cpu: "+", memory: "." } } }], volumes: [{ name: v, emptyDir: {} }] }
`),
  yamlObject(`
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: payments }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }, minReplicas: 1, maxReplicas: 2147483647 }
`),
  yamlObject(`
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: payments, ownerReferences: null, labels: null }
data: { a: b }
`),
  yamlObject(`
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: payments }
spec: { minAvailable: 1, selector: { matchLabels: { app: web } } }
`),
];

const deep = (n: number): unknown => (n === 0 ? {} : { a: deep(n - 1) });

const JUNK: unknown[] = [
  null,
  0,
  -1,
  1e308,
  2147483647,
  -2147483648,
  '',
  'x',
  true,
  [],
  {},
  [1, 'a'],
  { a: { b: null } },
  '50%',
  'NaN',
  '1E',
  '1Ei',
  '8Ei',
  '1e400',
  '0.9n',
  '+',
  'x'.repeat(100_000),
  Array.from({ length: 2_000 }, (_, i) => ({ key: `k${i}`, operator: 'In', values: [`v${i}`] })),
  deep(200),
];

const CASES = Number(process.env.FUZZ_CASES ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const DEADLINE_MS = 4000;

/** Replaces a random node of the value with junk. */
function mutateValue(v: unknown, r: () => number, depth = 0): unknown {
  if (r() < 0.15 || depth > 8 || typeof v !== 'object' || v === null)
    return JUNK[Math.floor(r() * JUNK.length)];
  if (Array.isArray(v)) return (v as unknown[]).map((x) => (r() < 0.3 ? mutateValue(x, r, depth + 1) : x));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (r() < 0.05) continue;
    out[k] = r() < 0.3 ? mutateValue(x, r, depth + 1) : x;
  }
  return out;
}

describe('property: any body gets a well-formed answer or a 4xx', () => {
  const { app } = testApp({ view: examplesView(seedObjects) });

  it(
    `${CASES} mutated and truncated reviews (seed ${SEED})`,
    async () => {
      const r = seededRandom(SEED);
      for (let i = 0; i < CASES; i++) {
        const base = seedObjects[i % seedObjects.length]!;
        const op = (['CREATE', 'UPDATE', 'DELETE'] as const)[i % 3]!;
        const body = review(op, base, { oldObject: base, uid: `uid-${i}` });
        // A quarter of the cases break the envelope, a quarter the request, half only the object inside.
        const shaped =
          i % 4 === 0
            ? mutateValue(body, r)
            : i % 4 === 1
              ? { ...body, request: mutateValue(body.request, r) }
              : { ...body, request: { ...body.request, object: mutateValue(base, r) } };
        let text = JSON.stringify(shaped);
        if (i % 5 === 0) text = text.slice(0, Math.floor(r() * text.length));
        const path = i % 2 === 0 ? '/validate' : '/mutate';
        const started = performance.now();
        const res = await request(app).post(path).set('Content-Type', 'application/json').send(text);
        const context = `seed ${SEED} case ${i}: ${text.slice(0, 200)}`;
        expect(res.status < 500, context).toBe(true);
        expect(performance.now() - started, context).toBeLessThan(DEADLINE_MS);
        if (res.status === 200) {
          const out = res.body as {
            apiVersion: string;
            kind: string;
            response: { uid: string; allowed: boolean };
          };
          expect(out.apiVersion, context).toBe('admission.k8s.io/v1');
          expect(out.kind, context).toBe('AdmissionReview');
          expect(typeof out.response.allowed, context).toBe('boolean');
          expect(typeof out.response.uid, context).toBe('string');
          // Junk is judged (or refused as malformed); it never makes Berth fail inside.
          expect(JSON.stringify(out.response), `${context} → ${JSON.stringify(out.response)}`).not.toContain(
            'internal error',
          );
        } else {
          expect(res.status, context).toBeGreaterThanOrEqual(400);
          expect(typeof (res.body as { error?: unknown }).error, context).toBe('string');
        }
      }
    },
    Math.max(60_000, CASES * 100),
  );
});
