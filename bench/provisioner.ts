/**
 * `npm run bench:provisioner`: the solver on Karpenter's scheduling benchmark mix (400 synthetic
 * instance types), on generic pods, and on generic pods over the real catalog with the seven default
 * NodePools (limits lifted), at 1,000, 5,000 and 20,000 pods. Each case runs in its own process; each
 * plan is checked by the independent verifier. Karpenter's published figure for the mix at 5,000 pods
 * is about 983 pods/s. With `--side-by-side` it runs bench/side-by-side.ts instead: Berth and
 * Karpenter's own scheduler on the same files.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SUITES } from './provisioner-suite.js';

interface Row {
  suite: string;
  pods: number;
  millis: number;
  podsPerSecond: number;
  nodes: number;
  pricePerHour: number;
  /** Instances and the nodes' volumes: what the LP bound bounds. */
  wholePerHour: number;
  lowerBound: number;
  unschedulable: number;
  heapGrowthMiB: number;
  peakRssMiB: number;
  problems: number;
  firstProblem?: string;
}

// `--side-by-side`: Berth beside Karpenter's own scheduler on the same files (bench/side-by-side.ts).
if (process.argv.includes('--side-by-side')) {
  await import('./side-by-side.js');
  process.exit(0);
}

const caseScript = fileURLToPath(new URL('./provisioner-case.js', import.meta.url));
const counts = (process.env.BENCH_PODS ?? '1000,5000,20000').split(',').map((n) => Number.parseInt(n, 10));
const budget = process.env.BENCH_BUDGET_MS ?? '1000';

function run(suite: string, pods: number): Row {
  const out = execFileSync(process.execPath, ['--expose-gc', caseScript, suite, String(pods), budget], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out) as Row;
}

const header = [
  'suite',
  'pods',
  'pods/s',
  'solve ms',
  'nodes',
  'USD/h',
  'lower bound',
  'cost/LB',
  'unsched',
  'heap +MiB',
  'peak RSS MiB',
  'valid',
];
const lines: string[][] = [header];
let failed = false;
for (const suite of SUITES) {
  for (const pods of counts) {
    const r = run(suite.name, pods);
    if (r.problems > 0) failed = true;
    lines.push([
      r.suite,
      String(r.pods),
      r.podsPerSecond.toFixed(0),
      r.millis.toFixed(0),
      String(r.nodes),
      r.pricePerHour.toFixed(2),
      r.lowerBound.toFixed(2),
      (r.wholePerHour / r.lowerBound).toFixed(3),
      String(r.unschedulable),
      r.heapGrowthMiB.toFixed(0),
      r.peakRssMiB.toFixed(0),
      r.problems === 0 ? 'yes' : `NO: ${r.firstProblem ?? ''}`,
    ]);
  }
}
const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
for (const l of lines) console.log(l.map((c, i) => c.padStart(widths[i] ?? 0)).join('  '));
console.log(
  `\nimprovement budget ${budget} ms per plan (the phase stops early when nothing improves); node ${process.version}`,
);
if (failed) process.exitCode = 1;
