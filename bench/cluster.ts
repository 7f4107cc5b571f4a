/**
 * npm run bench:cluster — Karpenter's performance suite (kubernetes-sigs/karpenter
 * test/suites/performance) run by both provisioners, each on a fresh e2e control plane (kube-apiserver,
 * controller manager and kube-scheduler built from k8s.io/kubernetes) with kwok making their Nodes
 * Ready and running their pods: Berth (`berth serve --cloud kwok`) and Karpenter's own controller
 * (sigs.k8s.io/karpenter/kwok v1.15.0) choosing among the same instance types at the same prices
 * (bench/cluster/instance-types.ts) with the same registration delay. kube-scheduler binds the pods.
 *
 * Per workload, step and side: time to all pods Running (scale-out) or to the last node change
 * (scale-in: consolidation; drift: every node replaced), pod start p50/p99, when the last new pod was
 * created (the floor: the harness applies one object after another), nodes, their $/h and its
 * ratio to the LP lower bound of the pods, evictions, PDBs whose healthy pods fell below their
 * minimum (sampled each second), pods Pending more than 60 s, controller CPU seconds, average cores
 * and P95 RSS, and the controller's requests per second to the API server (its audit log). Printed
 * as one markdown table (docs/benchmarks.md). After each scale-out kube-scheduler's FailedScheduling
 * Events are logged by message.
 *
 * Options: --workloads basic,hostname-spread,hostname-spread-xl,wide,do-not-disrupt,
 * self-anti-affinity,drift,churn (all; churn, not Karpenter's, alternates its Deployments between two
 * sizes every minute for 10 minutes on a Balanced pool and counts node launches and removals per hour) · --sides berth,karpenter (both; `ready` adds the floor: no
 * provisioner, the Nodes of Berth's offline plan for the first scale-out made Ready before the apply,
 * each of the largest type the plan uses, so that only kube-scheduler and kwok set the time;
 * bench/cluster/ready.ts; `ideal` a free provisioner: those Nodes created as the registration delay
 * after the apply ends, pods ungated; `ideal-gated` the same with the pods behind the harness's
 * scheduling gate, lifted once the Nodes are there; bench/cluster/ideal.ts) · --scale F (1; 10 for
 * the ×10 goal) ·
 * --delay S registration delay (5) · --settle S quiet time that ends a disruption step (90) ·
 * --timeout M minutes per step (20) · --client-qps N of kube-controller-manager and kube-scheduler
 * (100, burst 2N; at their defaults, 20 and 50, the ReplicaSet controller's 20 pod creations a second
 * bound every scale-out: 50 s for 1,000 pods) · --scheduler-scoring least-allocated|most-allocated
 * (kube-scheduler's NodeResourcesFit strategy; its default, LeastAllocated, when unset) ·
 * --nodes-to-score P kube-scheduler's percentageOfNodesToScore (1–100; its adaptive default, which
 * scores the first 100 feasible nodes of a cluster of a few hundred, when unset) ·
 * --log-level L of berth serve's log in the run's directory (warn) · --heap MB berth serve's heap
 * limit in place of the Deployment's (192) · --no-scheduling-gates: Berth with
 * provisioner.schedulingGates false (pods not held back while their nodes boot) · --cpu-prof: berth
 * serve writes a V8 CPU profile (node --cpu-prof) into the run's directory when it stops ·
 * --main-nice N: berth serve's --main-nice (10, as deploy/ runs it) · --berth-http1: berth serve
 * --no-http2 (its webhooks over HTTP/1.1 only, as before 2026-11-29) · --berth-gate auto|policy|webhook:
 * berth serve --scheduling-gate (auto: the API server's MutatingAdmissionPolicy on 1.36+, else the
 * gate webhook) · --daemonsets: six DaemonSets in kube-system on every node (555m CPU, 1,126 Mi in all, as EKS nodes
 * run: test/support/perf-workloads.ts nodeDaemonSets) · --steps N: only each workload's first N
 * steps · --json. --sides karpenter-noop is Karpenter with a no-op admission webhook registered as
 * Berth's mutating webhooks are (bench/noop-webhook.ts): what any webhook costs the pod creations;
 * karpenter-noop-patch the same with its gate answering a patch of the size of Berth's.
 */
import { mkdtempSync } from 'node:fs';
import { gateFlag } from '../src/operator/gate-mechanism.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { builtinCatalog } from '../src/catalog/catalog.js';
import type { Plan } from '../src/provisioner/solver/model.js';
import { startControlPlane, type SchedulerScoring } from '../test/e2e/control-plane.js';
import { installed, kubectlWith } from '../test/e2e/harness.js';
import {
  NAMESPACE,
  nodeDaemonSets,
  perfWorkloads,
  type Deploy,
  type Workload,
} from '../test/support/perf-workloads.js';
import { ClusterObserver, ProcessSampler } from './cluster/observe.js';
import { startIdealSide } from './cluster/ideal.js';
import { offlinePlan, startReadySide } from './cluster/ready.js';
import { comparison, table, type StepResult } from './cluster/report.js';
import { startBerthSide, startKarpenterSide, type Side, type SideName } from './cluster/sides.js';
import { startKwok } from '../test/e2e/kwok.js';
import { runStep, type StepContext } from './cluster/step.js';
import { BurstTrace } from './cluster/trace.js';

const { values } = parseArgs({
  options: {
    workloads: { type: 'string', default: '' },
    sides: { type: 'string', default: 'berth,karpenter' },
    scale: { type: 'string', default: '1' },
    delay: { type: 'string', default: '5' },
    settle: { type: 'string', default: '90' },
    timeout: { type: 'string', default: '20' },
    'client-qps': { type: 'string', default: '100' },
    'scheduler-scoring': { type: 'string' },
    'nodes-to-score': { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    heap: { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-scheduling-gates': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    daemonsets: { type: 'boolean', default: false },
    steps: { type: 'string' },
    'main-nice': { type: 'string', default: '10' },
    'berth-http1': { type: 'boolean', default: false },
    'berth-gate': { type: 'string', default: 'auto' },
  },
});

const scale = Number(values.scale);
const all = perfWorkloads(scale);
const chosen = values.workloads ? values.workloads.split(',') : all.map((w) => w.name);
const unknown = chosen.filter((n) => !all.some((w) => w.name === n));
if (unknown.length > 0 || !(scale > 0)) {
  console.error(
    `bench:cluster: ${unknown.length > 0 ? `no workload ${unknown.join(', ')}` : `--scale must be > 0`} (workloads: ${all.map((w) => w.name).join(', ')})`,
  );
  process.exit(2);
}
const sideNames: readonly string[] = [
  'berth',
  'karpenter',
  'karpenter-noop',
  'karpenter-noop-patch',
  'ready',
  'ideal',
  'ideal-gated',
];
const sides = values.sides.split(',') as SideName[];
if (sides.some((s) => !sideNames.includes(s))) {
  console.error(
    'bench:cluster: --sides takes berth, karpenter, karpenter-noop, karpenter-noop-patch, ready, ideal, ideal-gated or a list of them',
  );
  process.exit(2);
}

const scoringValue = values['scheduler-scoring'];
const scorings = new Map<string, SchedulerScoring>([
  ['least-allocated', 'LeastAllocated'],
  ['most-allocated', 'MostAllocated'],
]);
const scoring = scoringValue === undefined ? undefined : scorings.get(scoringValue);
if (scoringValue !== undefined && scoring === undefined) {
  console.error('bench:cluster: --scheduler-scoring takes least-allocated or most-allocated');
  process.exit(2);
}
const nodesToScoreValue = values['nodes-to-score'];
const nodesToScore = nodesToScoreValue === undefined ? undefined : Number(nodesToScoreValue);
if (
  nodesToScore !== undefined &&
  !(Number.isInteger(nodesToScore) && nodesToScore >= 1 && nodesToScore <= 100)
) {
  console.error('bench:cluster: --nodes-to-score takes a whole percentage from 1 to 100');
  process.exit(2);
}

const stepsValue = values.steps;
const stepLimit = stepsValue === undefined ? Number.POSITIVE_INFINITY : Number(stepsValue);
if (!(Number.isInteger(stepLimit) || stepLimit === Number.POSITIVE_INFINITY) || stepLimit < 1) {
  console.error('bench:cluster: --steps takes a whole number of steps, at least 1');
  process.exit(2);
}

const log = (s: string) => process.stderr.write(`bench:cluster: ${s}\n`);
const catalog = builtinCatalog();

/**
 * Each step's Deployments (name → shape at that step's replicas), Berth's offline plan for their pods
 * (the ready side's Nodes) and its LP lower bound on Berth's pool.
 */
function plan(w: Workload): { deploys: Map<string, Deploy>; offline: Plan; bound: number }[] {
  const deploys = new Map<string, Deploy>();
  return w.steps.map((step) => {
    if (step.kind !== 'drift') {
      if (step.kind === 'scale-out') for (const d of step.create) deploys.set(d.name, d);
      // A churn step ends at its `scale`: the replicas its end waits for.
      for (const [name, replicas] of Object.entries(step.scale)) {
        const d = deploys.get(name);
        if (d) deploys.set(name, { ...d, replicas });
      }
    }
    const snapshot = new Map(deploys);
    const offline = offlinePlan(snapshot, catalog);
    return { deploys: snapshot, offline, bound: offline.lowerBound };
  });
}

async function runSide(
  w: Workload,
  side: SideName,
  tools: { bin: string; kwok: string; karpenter: string },
): Promise<StepResult[]> {
  const dir = mkdtempSync(join(tmpdir(), `berth-bench-${w.name}-${side}-`));
  log(`${w.name} on ${side}: ${dir}`);
  const cp = await startControlPlane(tools.bin, join(dir, 'cluster'), {
    users: ['controller'],
    audit: true,
    clientQps: Number(values['client-qps']),
    ...(scoring ? { schedulerScoring: scoring } : {}),
    ...(nodesToScore === undefined ? {} : { nodesToScore }),
  });
  const kubectl = kubectlWith(cp.kubeconfig);
  const results: StepResult[] = [];
  let stopKwok: (() => Promise<void>) | undefined;
  let provisioner: Side | undefined;
  let observer: ClusterObserver | undefined;
  try {
    kubectl(['create', 'namespace', NAMESPACE]);
    if (values.daemonsets) {
      const r = kubectl(
        ['apply', '-f', '-'],
        nodeDaemonSets()
          .map((o) => JSON.stringify(o))
          .join('\n'),
      );
      if (r.code !== 0) throw new Error(`applying the DaemonSets: ${r.stderr}`);
    }
    stopKwok = await startKwok(cp.kubeconfig, dir, tools.kwok);
    const delay = Number(values.delay);
    const steps = plan(w);
    const first = steps[0];
    if (!first) throw new Error(`${w.name} has no step`);
    provisioner =
      side === 'ready'
        ? await startReadySide(cp, first.offline, catalog, log)
        : side === 'ideal' || side === 'ideal-gated'
          ? await startIdealSide(cp, first.offline, catalog, { delay, gated: side === 'ideal-gated', log })
          : side === 'berth'
            ? await startBerthSide(cp, dir, {
                delay,
                logLevel: values['log-level'],
                ...(values.heap === undefined ? {} : { heapMb: Number(values.heap) }),
                gates: !values['no-scheduling-gates'],
                cpuProf: values['cpu-prof'],
                policy: w.policy,
                mainNice: values['main-nice'],
                http1: values['berth-http1'],
                gateBy: gateFlag(values['berth-gate']),
              })
            : await startKarpenterSide(cp, dir, tools.karpenter, {
                delay,
                policy: w.policy,
                noop: side === 'karpenter-noop' ? 'allow' : side === 'karpenter-noop-patch' ? 'patch' : false,
              });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    observer = new ClusterObserver(kc);
    await observer.start();
    const ctx: StepContext = {
      provisioner,
      workload: w.name,
      side,
      kubectl,
      observer,
      sampler: new ProcessSampler(provisioner.pid),
      auditLog: cp.auditLog ?? '',
      catalog,
      settleMs: Number(values.settle) * 1000,
      timeoutMs: Number(values.timeout) * 60_000,
      log,
      trace: new BurstTrace({
        server: cp.server,
        token: cp.token,
        webhookMetrics: provisioner.metrics,
        provisionerPid: provisioner.pid,
      }),
    };
    for (const [i, step] of w.steps.entries()) {
      const planned = steps[i];
      if (i >= stepLimit) break;
      if (!planned) continue;
      // The ready and ideal sides have no provisioner: their Nodes are made for the first scale-out,
      // and nothing would scale in, consolidate or replace them.
      if ((side === 'ready' || side === 'ideal' || side === 'ideal-gated') && i > 0) break;
      const r = await runStep(ctx, step, planned);
      log(`${w.name} ${r.step} on ${side}: ${r.seconds === null ? 'timed out' : `${r.seconds.toFixed(1)}s`}`);
      log(`result ${JSON.stringify(r)}`);
      results.push(r);
      if (r.seconds === null) break;
    }
  } finally {
    observer?.stop();
    await provisioner?.stop();
    await stopKwok?.();
    await cp.stop();
  }
  return results;
}

const tools = {
  bin: installed('build-control-plane.sh'),
  kwok: installed('install-kwok.sh'),
  karpenter: sides.some((s) => s.startsWith('karpenter')) ? installed('install-karpenter-kwok.sh') : '',
};
const results: StepResult[] = [];
for (const w of all.filter((x) => chosen.includes(x.name)))
  for (const side of sides) results.push(...(await runSide(w, side, tools)));

if (values.json) console.log(JSON.stringify(results, null, 2));
else {
  console.log(
    `Karpenter's performance suite at ×${scale}, registration delay ${values.delay}s, settle ${values.settle}s, ` +
      `controller manager and scheduler at ${values['client-qps']} QPS` +
      (values.daemonsets ? ', six DaemonSets a node (555m CPU, 1,126 Mi)' : '') +
      (scoring === undefined ? '' : `, kube-scheduler scoring ${scoring}`) +
      (nodesToScore === undefined ? '' : `, percentageOfNodesToScore ${nodesToScore}`) +
      '\n',
  );
  console.log(table(results));
  console.log('');
  for (const l of comparison(results)) console.log(`- ${l}`);
}
