/**
 * npm run bench:engine — compile + evaluate a realistic Deployment against the full rule set in a loop,
 * on one core, and print evaluations per second and heap used. Goal: ≥ 20,000 evaluations/s. Then the
 * same Deployment judged by twenty ValidatingAdmissionPolicies (bench/native.ts). Goal: ≥ 20,000
 * reviews/s.
 * Options: --seconds N (measure time, default 5), --json.
 */
import { parseArgs } from 'node:util';
import { compile } from '../src/policies/compile/compile.js';
import { evaluate } from '../src/policies/engine.js';
import { deployment, policies, profile, view } from './scenario.js';
import { benchNative } from './native.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
});
const seconds = Number(values.seconds);

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
const native = benchNative(compile(deployment, profile, policies, view.nodePools).object, seconds * 1000);
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
  native,
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
  console.log(`bench:engine — the same Deployment judged by ${native.policies} ValidatingAdmissionPolicies`);
  console.log(`  reviews/s       ${native.reviewsPerSecond.toLocaleString('en-US')}   (goal ≥ 20,000)`);
  console.log(`  µs/review       ${native.microsPerReview}   (${native.decisions} denials)`);
}
