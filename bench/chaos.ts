/**
 * npm run bench:chaos — faults at cluster scale. On the kwok tier (bench:cluster's control plane
 * built from k8s.io/kubernetes, kwok running the Nodes' pods), two `berth serve` replicas with leader
 * election behind a Service each for the webhooks and the scheduling gate, as deploy/ runs them.
 * Karpenter's performance suite's *basic* workload (1,000 pods at full size) is created, scaled in
 * to 700, drifted, scaled back to 1,000, grown to 1,300 and to 1,600, one fault in each change at a point drawn
 * from the seed (bench/chaos/faults.ts): the leader killed (SIGKILL) mid scale-out, mid consolidation
 * and mid drift, and started again 20 s later (the other replica has taken the Lease by then); both replicas down for 60 s mid scale-out; kube-apiserver killed and started again
 * mid scale-out (every watch cut); grown to 1,600 while, for two minutes, the three instance types
 * Berth bought most have no capacity in its two busiest zones and every launch takes 5 s to answer
 * (`berth serve --kwok-faults`); then, the cluster as it is, a spot interruption wave: EC2's
 * two-minute warnings for 30% of the spot nodes over a minute, on an SQS queue moto_server serves
 * (`berth serve --interruption-queue`), each instance terminated two minutes after its warning. The
 * NodePool allows spot beside on-demand.
 *
 * Per seed and fault: when the fault came, the time from it to a settled cluster, Berth's API requests
 * meanwhile (its audit log), evictions, and the counts that must be 0 (bench/chaos/ledger.ts): PDB
 * samples below their minimum, pods gated past 5 minutes, pods not Running, NodeClaims without a Node
 * and Nodes without a claim once settled (or after the timeout: 15 minutes), claims launched twice,
 * Nodes or claims held by their finalizer over 2 minutes. Exits 1 when any count is not 0.
 *
 * Options: --seeds 1,2,3 · --scale F (1) · --delay S kwok registration delay (5) · --settle S quiet
 * time that settles the cluster (30) · --timeout M minutes per fault (15) · --faults W,… only the
 * faults whose names hold one of these words (e.g. `drift,spot`; the first, which creates the
 * workload, always runs) · --json.
 */
import { parseArgs } from 'node:util';
import { installed } from '../test/e2e/harness.js';
import { perfWorkloads } from '../test/support/perf-workloads.js';
import { faults } from './chaos/faults.js';
import { nonZero } from './chaos/ledger.js';
import { runSeed, type FaultResult } from './chaos/run.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    scale: { type: 'string', default: '1' },
    delay: { type: 'string', default: '5' },
    settle: { type: 'string', default: '30' },
    timeout: { type: 'string', default: '15' },
    faults: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const seeds = values.seeds.split(',').map(Number);
const scale = Number(values.scale);
if (seeds.some((s) => !Number.isInteger(s)) || !(scale > 0)) {
  console.error('bench:chaos: --seeds takes whole numbers (1,2,3), --scale a number above 0');
  process.exit(2);
}
const log = (s: string) => process.stderr.write(`bench:chaos: ${s}\n`);
const basic = perfWorkloads(scale).find((w) => w.name === 'basic');
const first = basic?.steps[0];
if (first?.kind !== 'scale-out') throw new Error("Karpenter's basic workload has no scale-out");
const by = (f: number) =>
  Object.fromEntries(first.create.map((d) => [d.name, Math.max(1, Math.round(d.replicas * f))]));
const every = faults({ full: by(1), scaledIn: by(0.7), grown: by(1.3), largest: by(1.6) }, scale);
// --faults picks by words in their names; the first (the workload's creation) always runs.
const words = values.faults?.split(',').map((w) => w.trim().toLowerCase());
const plan = every.filter((f, i) => i === 0 || words === undefined || words.some((w) => f.name.includes(w)));
if (words !== undefined && plan.length === 1 && !words.some((w) => every[0]?.name.includes(w))) {
  console.error(`bench:chaos: --faults matches none of: ${every.map((f) => f.name).join('; ')}`);
  process.exit(2);
}
const tools = { bin: installed('build-control-plane.sh'), kwok: installed('install-kwok.sh') };

const results: FaultResult[] = [];
for (const seed of seeds)
  results.push(
    ...(await runSeed({
      seed,
      deploys: first.create,
      faults: plan,
      delay: Number(values.delay),
      settleMs: Number(values.settle) * 1000,
      timeoutMs: Number(values.timeout) * 60_000,
      tools,
      log,
    })),
  );

const failed = results.filter((r) => r.settled === null || nonZero(r).length > 0);

if (values.json) console.log(JSON.stringify(results, null, 2));
else {
  const pods = first.create.reduce((n, d) => n + d.replicas, 0);
  console.log(
    `Faults on Karpenter's basic workload (${String(pods)} pods), two Berth replicas, kwok registration delay ${values.delay} s, settle ${values.settle} s\n`,
  );
  console.log(
    '| seed | fault | at (s) | mid change | settled after (s) | Berth requests | evictions | PDB below min | gated > 5 min | not Running | claims w/o Node | Nodes w/o claim | launched twice | stuck finalizers |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results)
    console.log(
      `| ${String(r.seed)} | ${r.fault} | ${r.faultAt.toFixed(1)} | ${r.mid === undefined ? '–' : r.mid ? 'yes' : 'no'} | ${r.settled === null ? 'not settled' : r.settled.toFixed(1)} | ${String(r.requests)} | ${String(r.evictions)} | ${[
        r.pdbViolations,
        r.gatedOver5m,
        r.pending,
        r.claimsWithoutNode,
        r.nodesWithoutClaim,
        r.doubleLaunches,
        r.stuck,
      ].join(' | ')} |`,
    );
}
for (const r of failed)
  log(
    `seed ${String(r.seed)}, ${r.fault}: ${r.settled === null ? 'never settled; ' : ''}${nonZero(r).join(', ')}`,
  );
process.exit(failed.length > 0 ? 1 : 0);
