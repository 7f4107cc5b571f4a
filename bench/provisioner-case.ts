/** One benchmark case in a fresh process (so peak memory is this case's): prints one JSON line. */
import { SUITES } from './provisioner-suite.js';
import { solve } from '../src/provisioner/solver/solve.js';
import { verifyPlan } from '../src/provisioner/verify/verify-plan.js';

const [suiteName = '', countText = '0', budgetText = '1000'] = process.argv.slice(2);
const suite = SUITES.find((s) => s.name === suiteName);
if (!suite) throw new Error(`unknown suite ${suiteName}`);
const count = Number.parseInt(countText, 10);
const input = suite.input(count);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const start = performance.now();
const plan = solve({ ...input, budgetMillis: Number.parseInt(budgetText, 10) });
const millis = performance.now() - start;
const heapAfter = process.memoryUsage().heapUsed;
const problems = verifyPlan(input, plan);
process.stdout.write(
  `${JSON.stringify({
    suite: suiteName,
    pods: count,
    millis,
    podsPerSecond: count / (millis / 1000),
    nodes: plan.totals.nodes,
    pricePerHour: plan.totals.pricePerHour,
    wholePerHour: plan.totals.pricePerHour + plan.totals.nodeCostsPerHour,
    lowerBound: plan.lowerBound,
    unschedulable: plan.unschedulable.length,
    heapGrowthMiB: (heapAfter - heapBefore) / 1048576,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    problems: problems.length,
    firstProblem: problems[0]?.message,
  })}\n`,
);
