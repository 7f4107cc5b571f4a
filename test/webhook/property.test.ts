/**
 * Random and truncated reviews: every answer is either a well-formed AdmissionReview echoing the uid
 * or a 4xx with a reason — never a 5xx, a hang or a crash.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { examplesView, review, testApp, yamlObject } from './harness.js';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: payments }
spec: { minAvailable: 1, selector: { matchLabels: { app: web } } }
`),
];

const JUNK: unknown[] = [
  null,
  0,
  -1,
  1e308,
  '',
  'x',
  true,
  [],
  {},
  [1, 'a'],
  { a: { b: null } },
  '50%',
  'NaN',
];

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

  it('1,500 mutated and truncated reviews', async () => {
    const r = rng(20261121);
    for (let i = 0; i < 1500; i++) {
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
      const res = await request(app).post(path).set('Content-Type', 'application/json').send(text);
      const context = `seed case ${i}: ${text.slice(0, 200)}`;
      expect(res.status < 500, context).toBe(true);
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
        expect(JSON.stringify(out.response), context).not.toContain('internal error');
      } else {
        expect(res.status, context).toBeGreaterThanOrEqual(400);
        expect(typeof (res.body as { error?: unknown }).error, context).toBe('string');
      }
    }
  }, 60_000);
});
