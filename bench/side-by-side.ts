/**
 * `npm run bench:side-by-side` (also `npm run bench:provisioner -- --side-by-side`): Berth and
 * Karpenter's own scheduling simulation (sigs.k8s.io/karpenter v1.15.0, `bench/karpenter-sbs/`: its
 * NewTopology → NewScheduler → Solve, set up as its scheduling benchmark does) on the same pod and
 * NodePool files and the same catalog (data/ec2-instance-types.json), reported as ratios.
 *
 * - Solve: on both sides the median of timed runs after an untimed warm-up — Karpenter's Solve in its
 *   harness (BENCH_SBS_RUNS, default 1), Berth's solver in this process (BENCH_SBS_BERTH_RUNS,
 *   default 7, after BENCH_SBS_BERTH_WARMUP untimed runs, default 3: V8 compiles the hot loops over
 *   the first few runs, where Go starts compiled; the provisioner's solver thread is long-lived, so
 *   the warm figure is the one a cluster sees, and the cold one is printed beside it).
 * - Berth also runs `berth plan -o json` as a user does: "B cold" is that plan's solveMillis (one cold
 *   run) and "wall" the whole process (reading YAML, admission of every object, solve, output).
 *   Karpenter's "wall" is its scheduler set-up plus its Solve (reading files and Go start-up left out).
 * - Cost is each plan's $/h; unplaced counts pods left unschedulable (Berth: or denied by its rules).
 * - The Karpenter side needs Go (≥ 1.26) and builds once into ~/.cache/berth-bench (several minutes
 *   on 2 cores; modules from the Go proxy). Without Go, Berth's side runs alone and it says so.
 *
 * - Whole cost (BENCH_SBS_NODE_COST, USD per node-hour, default 0.03): a node costs its instance, its
 *   volumes (the class's al2023 default: 20 GiB gp3) and a per-node cost. Berth plans again with
 *   provisioner.nodeCost.perNodePerHour set; Karpenter's plan (its solver has no such term) is priced
 *   the same way: instances + nodes × (volumes + per-node cost).
 *
 * Cases: BENCH_SBS="generic:1000,diverse:3000,…" (default below).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadObjects } from '../src/inputs/objects.js';
import { builtinCatalog } from '../src/catalog/catalog.js';
import { solverInputOf } from '../src/provisioner/input/plan-input.js';
import { DEFAULT_BUDGET_MS } from '../src/provisioner/solver/budget.js';
import { solve } from '../src/provisioner/solver/solve.js';
import { DEFAULT_VOLUME, volumesPerHour } from '../src/scheduling/node-cost.js';
import type { NodePool } from '../src/scheduling/nodepool.js';
import { nodePoolsOf, podsOf, type WorkloadKind } from './side-by-side-workloads.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HARNESS = join(ROOT, 'bench', 'karpenter-sbs');
const CATALOG = join(ROOT, 'data', 'ec2-instance-types.json');
const DEFAULT_CASES =
  'generic:1000,generic:3000,generic:10000,generic:30000,diverse:1000,diverse:3000,karpenter-mix:1000,karpenter-mix:5000';
const RUNS = process.env.BENCH_SBS_RUNS ?? '1';
/** Berth's timed runs: more than Karpenter's, as V8 compiles the solver's hot loops over the first few. */
const BERTH_RUNS = Number.parseInt(process.env.BENCH_SBS_BERTH_RUNS ?? '7', 10);
const BERTH_WARMUP = Number.parseInt(process.env.BENCH_SBS_BERTH_WARMUP ?? '3', 10);
const NODE_COST = Number.parseFloat(process.env.BENCH_SBS_NODE_COST ?? '0.03');
/** The workloads' EC2NodeClass (al2023, no blockDeviceMappings): one 20 GiB gp3 volume a node. */
const VOLUMES = volumesPerHour([DEFAULT_VOLUME]);

interface Side {
  pricePerHour: number;
  /** Instances, volumes and the per-node cost (Berth: as its plan says; Karpenter: priced after). */
  wholePerHour: number;
  nodes: number;
  solveMillis: number;
  wallMillis: number;
  unplaced: number;
}

function goBinary(): string | undefined {
  for (const g of ['go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go'])
    if (spawnSync(g, ['version'], { encoding: 'utf8' }).status === 0) return g;
  return undefined;
}

/** Builds the Karpenter harness once per source version; undefined (and why, on stderr) when it cannot. */
function karpenterHarness(): string | undefined {
  const go = goBinary();
  if (go === undefined) {
    console.error("side-by-side: Go is not installed, so Karpenter's side is skipped (https://go.dev/dl/)");
    return undefined;
  }
  const hash = createHash('sha256');
  for (const f of readdirSync(HARNESS).sort()) hash.update(f).update(readFileSync(join(HARNESS, f)));
  const dir = join(
    process.env.BERTH_BENCH_CACHE ?? join(homedir(), '.cache', 'berth-bench'),
    hash.digest('hex').slice(0, 16),
  );
  const bin = join(dir, 'karpenter-sbs');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  console.error(
    `side-by-side: building Karpenter's scheduler harness into ${dir} (first run only; several minutes)`,
  );
  const r = spawnSync('nice', ['-n', '19', go, 'build', '-o', bin, '.'], {
    cwd: HARNESS,
    stdio: ['ignore', 'inherit', 'inherit'],
    // Karpenter v1.15 needs Go 1.26.9 or newer: the go command fetches 1.27.3 from the module proxy once.
    env: { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'go1.27.3', GOFLAGS: '-mod=mod' },
  });
  if (r.status !== 0) {
    console.error('side-by-side: the Karpenter harness did not build; its side is skipped');
    return undefined;
  }
  return bin;
}

function berth(pods: string, pools: string, policies: string | undefined): Side {
  const args = [
    'dist/src/cli/main.js',
    'plan',
    '-f',
    pods,
    '--nodepools',
    pools,
    '--catalog',
    CATALOG,
    '-o',
    'json',
  ];
  if (policies !== undefined) args.push('--policies', policies);
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  const wallMillis = performance.now() - t;
  if (r.status !== 0 && r.status !== 1) throw new Error(`berth plan failed: ${r.stderr}`);
  const plan = JSON.parse(r.stdout) as {
    totals: { nodes: number; pricePerHour: number; wholePerHour: number; solveMillis: number };
    unschedulable: unknown[];
  };
  const denied = r.stderr.split('\n').filter((l) => l.includes('denied by the webhook')).length;
  return {
    pricePerHour: plan.totals.pricePerHour,
    wholePerHour: plan.totals.wholePerHour,
    nodes: plan.totals.nodes,
    solveMillis: plan.totals.solveMillis,
    wallMillis,
    unplaced: plan.unschedulable.length + denied,
  };
}

/**
 * Berth's solve warm: BERTH_WARMUP untimed runs, then the median of BERTH_RUNS timed ones (the pods as
 * the files hold them; admission leaves these workloads' pods unchanged).
 */
function berthWarm(pods: string, pools: string): number {
  const objects = loadObjects([pods]);
  const poolObjects = loadObjects([pools]);
  if (!objects.ok || !poolObjects.ok) throw new Error('the generated files do not load');
  const input = solverInputOf({
    objects: objects.objects.map((o) => o.object),
    cluster: [],
    nodePools: poolObjects.objects
      .map((o) => o.object)
      .filter((o) => o.kind === 'NodePool') as unknown as NodePool[],
    catalog: builtinCatalog(),
    defaultNamespace: 'default',
  });
  const times: number[] = [];
  for (let i = 0; i < BERTH_WARMUP + BERTH_RUNS; i++)
    times.push(solve({ ...input, budgetMillis: DEFAULT_BUDGET_MS }).totals.solveMillis);
  const timed = times.slice(BERTH_WARMUP).sort((a, b) => a - b);
  return timed[Math.floor(timed.length / 2)] ?? Number.NaN;
}

function karpenter(bin: string, pods: string, pools: string): Side {
  const r = spawnSync(bin, ['-f', pods, '--nodepools', pools, '--catalog', CATALOG, '-runs', RUNS], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`karpenter-sbs failed: ${r.stderr}`);
  const k = JSON.parse(r.stdout) as {
    nodes: number;
    pricePerHour: number;
    solveMillis: number;
    setupMillis: number;
    unschedulable: number;
  };
  return {
    pricePerHour: k.pricePerHour,
    wholePerHour: k.pricePerHour + k.nodes * (VOLUMES + NODE_COST),
    nodes: k.nodes,
    solveMillis: k.solveMillis,
    wallMillis: k.setupMillis + k.solveMillis,
    unplaced: k.unschedulable,
  };
}

/**
 * A copy of the default policies.yaml: for the mix with spread-unsatisfiable off (it draws selectors
 * that select none of their own pods); with `perNode`, provisioner.nodeCost.perNodePerHour set.
 */
function policiesFor(dir: string, mix: boolean, perNode?: number): string | undefined {
  if (!mix && perNode === undefined) return undefined;
  const path = join(dir, perNode === undefined ? 'policies.yaml' : 'policies-node-cost.yaml');
  let text = readFileSync(join(ROOT, 'policies.yaml'), 'utf8');
  if (mix)
    text = text.replace(/spread-unsatisfiable: \{ mode: enforce \}/, 'spread-unsatisfiable: { mode: off }');
  if (perNode !== undefined) text = text.replace(/perNodePerHour: 0\b/, `perNodePerHour: ${String(perNode)}`);
  writeFileSync(path, text);
  return path;
}

const fmt = (n: number, d = 0) => n.toFixed(d);
const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);

function main(): void {
  const cases = (process.env.BENCH_SBS ?? DEFAULT_CASES).split(',').map((c) => {
    const [kind, n] = c.split(':');
    return { kind: (kind ?? 'generic') as WorkloadKind, pods: Number.parseInt(n ?? '1000', 10) };
  });
  const bin = karpenterHarness();
  const work = mkdtempSync(join(tmpdir(), 'berth-sbs-'));
  const header = [
    'workload',
    'pods',
    'K $/h',
    'B $/h',
    'cost B/K',
    'K solve ms',
    'B solve ms',
    'solve K/B',
    'B cold ms',
    'K wall ms',
    'B wall ms',
    'wall K/B',
    'unplaced K/B',
    'K/B nodes',
    'K whole $/h',
    'B whole $/h',
    'whole B/K',
    'K/B nodes (whole)',
  ];
  const rows: string[][] = [header];
  for (const c of cases) {
    const dir = join(work, `${c.kind}-${c.pods}`);
    mkdirSync(dir);
    const pods = join(dir, 'pods.yaml');
    const pools = join(dir, 'nodepools.yaml');
    writeFileSync(
      pods,
      podsOf(c.kind, c.pods)
        .map((d) => stringify(d))
        .join('---\n'),
    );
    const limit = c.kind === 'karpenter-mix' ? '10000000' : '100000';
    writeFileSync(
      pools,
      nodePoolsOf(limit)
        .map((d) => stringify(d))
        .join('---\n'),
    );
    const mix = c.kind === 'karpenter-mix';
    const b = berth(pods, pools, policiesFor(dir, mix));
    const bw = berth(pods, pools, policiesFor(dir, mix, NODE_COST));
    const warm = berthWarm(pods, pools);
    const k = bin === undefined ? undefined : karpenter(bin, pods, pools);
    const row = [
      c.kind,
      String(c.pods),
      k ? fmt(k.pricePerHour, 2) : '-',
      fmt(b.pricePerHour, 2),
      k ? fmt(ratio(b.pricePerHour, k.pricePerHour), 3) : '-',
      k ? fmt(k.solveMillis) : '-',
      fmt(warm),
      k ? `${fmt(ratio(k.solveMillis, warm), 1)}x` : '-',
      fmt(b.solveMillis),
      k ? fmt(k.wallMillis) : '-',
      fmt(b.wallMillis),
      k ? `${fmt(ratio(k.wallMillis, b.wallMillis), 1)}x` : '-',
      `${k ? String(k.unplaced) : '-'}/${String(b.unplaced)}`,
      `${k ? String(k.nodes) : '-'}/${String(b.nodes)}`,
      k ? fmt(k.wholePerHour, 2) : '-',
      fmt(bw.wholePerHour, 2),
      k ? fmt(ratio(bw.wholePerHour, k.wholePerHour), 3) : '-',
      `${k ? String(k.nodes) : '-'}/${String(bw.nodes)}`,
    ];
    rows.push(row);
    console.error(`side-by-side: ${row.join('  ')}`);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((x, i) => x.padStart(widths[i] ?? 0)).join('  '));
  console.log(
    `\nSolve: the median of warm runs — Karpenter ${RUNS} after one untimed, Berth ${BERTH_RUNS} after ${BERTH_WARMUP} untimed (its solver in this process). B cold: berth plan's own solve, one cold run. Wall: berth plan as a user runs it, the whole process; Karpenter v1.15.0 set-up + Solve. Whole: a node costs its instance, its volumes (20 GiB gp3, $${VOLUMES.toFixed(4)}/h) and $${String(NODE_COST)}/h; Berth plans with provisioner.nodeCost.perNodePerHour ${String(NODE_COST)}, Karpenter's plan is priced so. Files in ${work}.`,
  );
}

main();
