/**
 * bench:engine's native case: one review of the benchmark's Deployment (as Berth's mutating webhook
 * compiles it) judged by twenty ValidatingAdmissionPolicies (bench/native/policies.yaml) — the
 * request built with the API server's defaults, every policy matched, params read, conditions,
 * variables and validations evaluated. Returns reviews per second on one core.
 */
import { loadObjects } from '../src/inputs/objects.js';
import type { KubeObject } from '../src/kube/objects.js';
import { judgeNative } from '../src/policies/native/dispatch.js';
import { NativePolicySet } from '../src/policies/native/policy-set.js';
import { createAttributes } from '../src/policies/native/verdicts.js';

export interface NativeBench {
  reviewsPerSecond: number;
  microsPerReview: number;
  policies: number;
  decisions: number;
}

export function benchNative(object: KubeObject, ms: number): NativeBench {
  const loaded = loadObjects(['bench/native/policies.yaml']);
  if (!loaded.ok) throw new Error('cannot load bench/native/policies.yaml');
  const set = new NativePolicySet(loaded.objects.map((o) => o.object));
  if (set.refused.size > 0) throw new Error(`policies refused: ${[...set.refused.keys()].join(', ')}`);
  const opts = { defaultNamespace: 'payments', now: new Date('2026-11-29T00:00:00Z'), uid: () => 'uid' };
  const once = () => judgeNative(createAttributes(object, set, opts), set);
  const sample = once();
  if (sample.judgedBy.length !== set.bound.length)
    throw new Error(`only ${sample.judgedBy.length} policies matched`);
  const loop = (duration: number): number => {
    const end = performance.now() + duration;
    let n = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 100; i++) once();
      n += 100;
    }
    return n;
  };
  loop(1500);
  const start = performance.now();
  const n = loop(ms);
  const elapsed = (performance.now() - start) / 1000;
  return {
    reviewsPerSecond: Math.round(n / elapsed),
    microsPerReview: Math.round((elapsed / n) * 1e6 * 10) / 10,
    policies: set.bound.length,
    decisions: sample.decisions.length,
  };
}
