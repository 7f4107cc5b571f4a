/**
 * npm run bench:cli — the CLI as CI runs it, each figure next to bare Node measured in the same run:
 * `node -e 0`, `berth --help`, `berth check` of one object, and `berth check` of 2,500, 5,000, 10,000
 * and 20,000 objects (a quarter each Deployments, Services, ConfigMaps and PDBs, across 50 namespaces).
 * Wall time is the median of --runs runs (default 5); memory is the peak RSS of the slowest run.
 * Goals: --help and a one-object check ≤ 3× bare Node; check of 10,000 objects under 4 s and 600 MB,
 * and linear in the input. Options: --runs N, --json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/src/cli/main.js');
// Reports the process's peak RSS on stderr as it exits.
const RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nBENCH_RSS_KB='+process.resourceUsage().maxRSS+'\\n'))`;

function objects(n: number): string {
  const docs: string[] = [];
  for (let i = 0; docs.length < n; i++) {
    const ns = `team-${i % 50}`;
    const app = `app-${i}`;
    docs.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}\n  namespace: ${ns}\n  labels: {app.kubernetes.io/name: ${app}}\nspec:\n  replicas: ${2 + (i % 3)}\n  selector:\n    matchLabels: {app: ${app}}\n  template:\n    metadata:\n      labels: {app: ${app}}\n    spec:\n      containers:\n        - name: app\n          image: registry.example.com/${app}:1.0.${i}\n          resources:\n            requests: {cpu: ${100 + (i % 900)}m, memory: ${128 + (i % 1024)}Mi}\n            limits: {memory: ${256 + (i % 1024)}Mi}\n      topologySpreadConstraints:\n        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: ${app}}}}\n`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${app}, namespace: ${ns}}\nspec:\n  selector: {app: ${app}}\n  ports: [{port: 80, targetPort: 8080}]\n`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${app}-config, namespace: ${ns}}\ndata:\n  config.yaml: |\n    server:\n      port: 8080\n`,
      `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: ${app}, namespace: ${ns}}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: ${app}}}\n`,
    );
  }
  return docs.slice(0, n).join('---\n');
}

interface Figure {
  name: string;
  wallMs: number;
  rssMiB: number;
}

function measure(name: string, args: string[]): Figure {
  const walls: number[] = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, ['--import', RSS, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    walls.push(performance.now() - start);
    const kb = /BENCH_RSS_KB=(\d+)/.exec(r.stderr)?.[1];
    rss = Math.max(rss, Number(kb ?? 0) / 1024);
  }
  walls.sort((a, b) => a - b);
  return { name, wallMs: Math.round(walls[Math.floor(walls.length / 2)] ?? 0), rssMiB: Math.round(rss) };
}

const dir = mkdtempSync(join(tmpdir(), 'berth-bench-cli-'));
const one = join(dir, 'one.yaml');
writeFileSync(one, objects(1));
const sizes = [2_500, 5_000, 10_000, 20_000];
for (const n of sizes) writeFileSync(join(dir, `${n}.yaml`), objects(n));

const bare = measure('node -e 0', ['-e', '0']);
const figures = [
  bare,
  measure('berth --help', [cli, '--help']),
  measure('berth check (1 object)', [cli, 'check', '-f', one]),
  ...sizes.map((n) =>
    measure(`berth check (${n.toLocaleString('en')} objects)`, [cli, 'check', '-f', join(dir, `${n}.yaml`)]),
  ),
];
if (values.json) console.log(JSON.stringify({ runs, figures }, null, 2));
else {
  console.log(
    `${'command'.padEnd(34)} ${'wall ms'.padStart(8)} ${'× node'.padStart(7)} ${'peak RSS MiB'.padStart(13)}`,
  );
  for (const f of figures)
    console.log(
      `${f.name.padEnd(34)} ${String(f.wallMs).padStart(8)} ${(f.wallMs / bare.wallMs).toFixed(1).padStart(7)} ${String(f.rssMiB).padStart(13)}`,
    );
  const per = (n: number) => (figures.find((f) => f.name.includes(n.toLocaleString('en')))?.wallMs ?? 0) / n;
  console.log(
    `\nper object: ${sizes.map((n) => `${(per(n) * 1000).toFixed(0)} µs at ${n.toLocaleString('en')}`).join(', ')} (linear when these stay level)`,
  );
  console.log('goals: --help and one-object check ≤ 3× bare Node; 10,000 objects < 4 s and < 600 MB; linear');
}
