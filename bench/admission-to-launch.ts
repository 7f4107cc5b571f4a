/**
 * npm run bench:admission-to-launch — how soon capacity is bought after `kubectl apply`. A real
 * control plane (the e2e tier's, built with Go and cached), Berth's CRDs and deploy/, and two `berth
 * serve` replicas on the simulated cloud; the API server's webhooks point at each replica in turn, so
 * half the applies are admitted by the leader and half by the follower. Each apply is one Deployment
 * whose pod needs a node of its own; the figure is the time from starting `kubectl apply` (and from
 * the admitting replica's decision) to the leader's "launched" line. Afterwards every purchase is
 * checked against `berth plan` on the same input (the Deployment and a snapshot of the cluster taken
 * just before it was applied), and the cluster against a second purchase for the same pods.
 * Goals: p50 < 200 ms and p99 < 500 ms. Options: --applies N (default 50), --idle-seconds S (replaces
 * policies.yaml's provisioner.batchIdleSeconds, default 0.1), --json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startControlPlane } from '../test/e2e/control-plane.js';
import {
  eventually,
  kubectlWith,
  loopbackCerts,
  routeWebhooks,
  startBerth,
  type Berth,
} from '../test/e2e/harness.js';
import {
  bigDeployment,
  percentile,
  routedTo,
  timeApply,
  type ApplyTiming,
} from '../test/e2e/admission-speed.js';

const { values } = parseArgs({
  options: {
    applies: { type: 'string', default: '50' },
    'idle-seconds': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const applies = Number(values.applies);

function controlPlaneBin(): string | undefined {
  const r = spawnSync('bash', ['test/e2e/build-control-plane.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function setUp(dir: string) {
  const bin = controlPlaneBin();
  if (bin === undefined) {
    console.log('bench:admission-to-launch needs Go to build the control plane (see test/e2e); not run.');
    process.exit(0);
  }
  const cp = await startControlPlane(bin, join(dir, 'cluster'));
  const kubectl = kubectlWith(cp.kubeconfig);
  for (const crds of ['deploy/crds', 'deploy/karpenter-crds']) kubectl(['apply', '-k', crds]);
  kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  const r = kubectl(['apply', '-k', 'deploy/']);
  if (r.code !== 0) throw new Error(r.stderr);
  const tls = loopbackCerts(dir);
  const policies = join(dir, 'policies.yaml');
  const idle = values['idle-seconds'];
  const text = readFileSync('policies.yaml', 'utf8');
  writeFileSync(
    policies,
    idle === undefined ? text : text.replace(/batchIdleSeconds: [0-9.]+/, `batchIdleSeconds: ${idle}`),
  );
  const common = { kubeconfig: cp.kubeconfig, tlsDir: tls, policies, dir, args: ['--cloud', 'simulated'] };
  const start = async (identity: string) =>
    startBerth({ ...common, identity, port: await freePort(), metricsPort: await freePort() });
  const leader = await start('berth-a');
  await eventually(
    'berth-a to lead',
    () => readFileSync(leader.log, 'utf8').includes('provisioner leading'),
    60_000,
  );
  const follower = await start('berth-b');
  kubectl(['create', 'namespace', 'bench']);
  const ca = readFileSync(join(tls, 'ca.crt')).toString('base64');
  return { cp, kubectl, leader, follower, ca, policies };
}

interface Checked extends ApplyTiming {
  planned: string[];
}

async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-a2l-'));
  const { cp, kubectl, leader, follower, ca, policies } = await setUp(dir);
  const berths: Berth[] = [leader, follower];
  const timings: Checked[] = [];
  try {
    // Berth's own pods (deploy/) are planned first; measure from a quiet cluster.
    await eventually('the cluster to settle', () => allBound(kubectl), 60_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const nodesBefore = countNodes(kubectl);
    for (let i = 0; i < applies; i++) {
      const via = berths[i % 2] as Berth;
      for (const r of routeWebhooks(kubectl, via, ca)) if (r.code !== 0) throw new Error(r.stderr);
      const name = `rush-${i}`;
      const yaml = bigDeployment(name, 'bench');
      await routedTo(kubectl, via, yaml);
      const snapshot = join(dir, `cluster-${i}.yaml`);
      writeFileSync(snapshot, kubectl(['get', 'nodes,pods', '-A', '-o', 'yaml']).stdout);
      const t = await timeApply(kubectl, { name, yaml, via, leader });
      await eventually(`${name} bound`, () => podBound(kubectl, name), 60_000);
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, yaml);
      timings.push({ ...t, planned: planned(file, snapshot, policies) });
    }
    await new Promise((r) => setTimeout(r, 5_000));
    report(timings, countNodes(kubectl) - nodesBefore);
  } finally {
    for (const b of berths) await b.stop();
    await cp.stop();
  }
}

function countNodes(kubectl: ReturnType<typeof kubectlWith>): number {
  return kubectl(['get', 'nodes', '-o', 'name']).stdout.split('\n').filter(Boolean).length;
}

function allBound(kubectl: ReturnType<typeof kubectlWith>): boolean {
  const r = kubectl(['get', 'pods', '-A', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"|"}{end}']);
  return r.code === 0 && !r.stdout.split('|').slice(0, -1).includes('');
}

function podBound(kubectl: ReturnType<typeof kubectlWith>, app: string): boolean {
  const r = kubectl([
    'get',
    'pods',
    '-n',
    'bench',
    '-l',
    `app=${app}`,
    '-o',
    'jsonpath={.items[*].spec.nodeName}',
  ]);
  return r.code === 0 && r.stdout.trim() !== '';
}

function planned(file: string, snapshot: string, policies: string): string[] {
  const r = spawnSync(
    process.execPath,
    ['dist/src/cli/main.js', 'plan', '-f', file, '--nodes', snapshot, '--policies', policies, '-o', 'json'],
    { encoding: 'utf8' },
  );
  const plan = JSON.parse(r.stdout) as { nodes: { existing: boolean; instanceType: string }[] };
  return plan.nodes
    .filter((n) => !n.existing)
    .map((n) => n.instanceType)
    .sort();
}

function report(timings: readonly Checked[], bought: number): void {
  const summary = (via: string | undefined) => {
    const rows = timings.filter((t) => via === undefined || t.via === via);
    const apply = rows.map((t) => t.applyToLaunchMs);
    const admission = rows.map((t) => t.admissionToLaunchMs);
    const kubectl = rows.map((t) => t.applyToAdmissionMs);
    return {
      applies: rows.length,
      applyToAdmission: { p50: percentile(kubectl, 50), p99: percentile(kubectl, 99) },
      applyToLaunch: { p50: percentile(apply, 50), p99: percentile(apply, 99), max: Math.max(...apply) },
      admissionToLaunch: {
        p50: percentile(admission, 50),
        p99: percentile(admission, 99),
        max: Math.max(...admission),
      },
    };
  };
  const agree = timings.filter((t) => t.instanceTypes.join(',') === t.planned.join(',')).length;
  const result = {
    all: summary(undefined),
    viaLeader: summary('berth-a'),
    viaFollower: summary('berth-b'),
    nodesBought: bought,
    purchasesMatchingPlan: `${agree}/${timings.length}`,
    secondPurchases: bought - timings.length,
  };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const line = (what: string, s: ReturnType<typeof summary>) =>
    `${what.padEnd(14)} ${String(s.applies).padStart(3)} applies  apply→launch p50 ${s.applyToLaunch.p50} ms, p99 ${s.applyToLaunch.p99} ms, max ${s.applyToLaunch.max} ms;  admission→launch p50 ${s.admissionToLaunch.p50} ms, p99 ${s.admissionToLaunch.p99} ms;  apply→admission (kubectl, API server) p50 ${s.applyToAdmission.p50} ms`;
  console.log(line('all', result.all));
  console.log(line('via leader', result.viaLeader));
  console.log(line('via follower', result.viaFollower));
  console.log(
    `nodes bought ${bought} for ${timings.length} applies (second purchases: ${result.secondPurchases}); purchases equal to berth plan: ${result.purchasesMatchingPlan}`,
  );
  console.log('goals: p50 < 200 ms, p99 < 500 ms from apply to launch decision; no second purchase');
}

await run();
