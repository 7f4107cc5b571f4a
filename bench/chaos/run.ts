/**
 * One seed of `npm run bench:chaos`: a fresh control plane with kwok, two Berth replicas, and the
 * faults of ./faults.ts one after another on the same cluster. Per fault: make the change, inject the
 * fault at its drawn point, wait until the cluster settles (every pod Running, no node leaving, no
 * claim without its Node, no node change for the settle time; for drift, every node of before
 * replaced) or the timeout, and read the counts.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane } from '../../test/e2e/control-plane.js';
import { kubectlWith } from '../../test/e2e/harness.js';
import { startKwok } from '../../test/e2e/kwok.js';
import {
  berthPerfPool,
  deploymentOf,
  NAMESPACE,
  pdbOf,
  type Deploy,
} from '../../test/support/perf-workloads.js';
import { LABEL } from '../../src/catalog/instance-type.js';
import { auditCounts, ClusterObserver } from '../cluster/observe.js';
import { prepareBerthCluster } from '../cluster/sides.js';
import { seededRandom } from '../../src/util/seeded.js';
import type { Change, Fault, FaultWorld } from './faults.js';
import { ClaimLedger, counts, type Counts } from './ledger.js';
import { BerthReplicas } from './replicas.js';
import { InterruptionQueue } from './spot-wave.js';

export interface ChaosOptions {
  seed: number;
  deploys: readonly Deploy[];
  faults: readonly Fault[];
  /** kwok's registration delay, seconds. */
  delay: number;
  /** Quiet time that settles the cluster, ms. */
  settleMs: number;
  /** Per fault: time to settle before the counts are read as they are, ms. */
  timeoutMs: number;
  tools: { bin: string; kwok: string };
  log: (s: string) => void;
}

export interface FaultResult extends Counts {
  seed: number;
  fault: string;
  /** Seconds from the change to the fault, and from the fault to a settled cluster (null: never). */
  faultAt: number;
  /** Whether the change was under way when the fault came (pods not Running, nodes leaving). */
  mid?: boolean;
  settled: number | null;
  /** Berth's requests to the API server (both replicas) from the fault to the end. */
  requests: number;
  evictions: number;
  pdbViolations: number;
  what: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function applyChange(
  kubectl: ReturnType<typeof kubectlWith>,
  change: Change,
  deploys: readonly Deploy[],
): void {
  const run = (args: string[], input?: string) => {
    const r = kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  };
  if (change.kind === 'create')
    run(
      ['apply', '-f', '-'],
      deploys
        .flatMap((d) => [deploymentOf(d), pdbOf(d.name)])
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
  else if (change.kind === 'none') return;
  else if (change.kind === 'drift')
    run([
      'patch',
      'nodepool',
      'perf',
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: { template: { metadata: { annotations: { 'chaos-drift': String(Date.now()) } } } },
      }),
    ]);
  else
    for (const [name, replicas] of Object.entries(change.replicas))
      run(['scale', 'deployment', name, '-n', NAMESPACE, `--replicas=${replicas}`]);
}

/** Waits for the cluster to settle; when it did (its last change), or null at the timeout. */
async function settled(
  o: ClusterObserver,
  ledger: ClaimLedger,
  w: {
    expected: number;
    before: ReadonlySet<string> | undefined;
    from: number;
    settleMs: number;
    until: number;
  },
): Promise<number | null> {
  while (Date.now() < w.until) {
    const now = Date.now();
    const live = o.liveNodes();
    const c = counts(o, ledger, { now, since: w.from, graceMs: 60_000 });
    const done =
      o.allRunning(w.expected) &&
      live.every(([, n]) => !n.leaving) &&
      (w.before === undefined || live.every(([name]) => !w.before?.has(name))) &&
      c.claimsWithoutNode === 0 &&
      c.nodesWithoutClaim === 0 &&
      now - Math.max(o.lastNodeChange, w.from) >= w.settleMs;
    if (done) return Math.max(o.lastNodeChange, ...o.live().map((p) => p.running ?? 0));
    await sleep(1000);
  }
  return null;
}

/** The bench's NodePool, spot allowed beside on-demand (Berth then buys spot where it is cheaper). */
function chaosPool(): object {
  const pool = berthPerfPool();
  const requirements = pool.spec.template.spec.requirements.map((r) =>
    (r as { key?: string }).key === LABEL.capacityType ? { ...r, values: ['spot', 'on-demand'] } : r,
  );
  return {
    ...pool,
    spec: {
      ...pool.spec,
      template: { ...pool.spec.template, spec: { ...pool.spec.template.spec, requirements } },
    },
  };
}

async function untilLeaving(o: ClusterObserver, until: number): Promise<boolean> {
  while (Date.now() < until) {
    if (o.liveNodes().some(([, n]) => n.leaving)) return true;
    await sleep(250);
  }
  return false;
}

export async function runSeed(opt: ChaosOptions): Promise<FaultResult[]> {
  const dir = mkdtempSync(join(tmpdir(), `berth-chaos-${String(opt.seed)}-`));
  opt.log(`seed ${String(opt.seed)}: ${dir}`);
  const rand = seededRandom(opt.seed);
  const cp = await startControlPlane(opt.tools.bin, join(dir, 'cluster'), {
    users: ['controller'],
    audit: true,
    clientQps: 100,
  });
  const kubectl = kubectlWith(cp.kubeconfig);
  const out: FaultResult[] = [];
  let stopKwok: (() => Promise<void>) | undefined;
  let replicas: BerthReplicas | undefined;
  let queue: InterruptionQueue | undefined;
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  const o = new ClusterObserver(kc);
  const ledger = new ClaimLedger(kc);
  try {
    kubectl(['create', 'namespace', NAMESPACE]);
    stopKwok = await startKwok(cp.kubeconfig, dir, opt.tools.kwok);
    const { policies } = prepareBerthCluster(cp, dir, { gates: true, pool: chaosPool() });
    const faultsFile = join(dir, 'cloud-faults.json');
    queue = opt.faults.some((f) => f.queue) ? await InterruptionQueue.start() : undefined;
    replicas = await BerthReplicas.start(cp, dir, {
      delay: opt.delay,
      policies,
      args: ['--kwok-faults', faultsFile, ...(queue?.berthFlags() ?? [])],
      ...(queue ? { env: InterruptionQueue.env() } : {}),
    });
    await o.start();
    await ledger.start();
    o.countPdbViolations(true);
    const world: FaultWorld = {
      replicas,
      cp,
      cloudFaults: (f) => {
        if (f === undefined) rmSync(faultsFile, { force: true });
        else {
          writeFileSync(`${faultsFile}.tmp`, JSON.stringify(f));
          renameSync(`${faultsFile}.tmp`, faultsFile);
        }
      },
      nodes: () => o.liveNodes().map(([name, n]) => ({ name, labels: n.labels, providerId: n.providerId })),
      queue,
      rand,
      log: opt.log,
    };
    const sizes = new Map(opt.deploys.map((d) => [d.name, d.replicas]));
    for (const f of opt.faults) {
      if (f.change.kind === 'scale') for (const [k, v] of Object.entries(f.change.replicas)) sizes.set(k, v);
      const expected = [...sizes.values()].reduce((a, b) => a + b, 0);
      const before = f.change.kind === 'drift' ? new Set(o.liveNodes().map(([n]) => n)) : undefined;
      const start = Date.now();
      applyChange(kubectl, f.change, opt.deploys);
      if (f.afterLeaving && !(await untilLeaving(o, start + 5 * 60_000)))
        opt.log(`${f.name}: no node left within 5 minutes; the fault comes now`);
      const [lo, hi] = f.window;
      await sleep((lo + rand() * (hi - lo)) * 1000);
      const faultAt = Date.now();
      // Whether the change was still under way: pods not yet Running, or nodes leaving.
      const mid =
        f.change.kind === 'none'
          ? undefined
          : !o.allRunning(expected) || o.liveNodes().some(([, n]) => n.leaving);
      const audit0 = auditCounts(cp.auditLog ?? '');
      const violations0 = o.pdbViolations;
      const what = await f.inject(world);
      opt.log(`${f.name}: ${what} at +${((faultAt - start) / 1000).toFixed(1)} s`);
      const end = await settled(o, ledger, {
        expected,
        before,
        from: start,
        settleMs: opt.settleMs,
        until: faultAt + opt.timeoutMs,
      });
      const leader = replicas.leader();
      const audit = auditCounts(cp.auditLog ?? '');
      const c = counts(o, ledger, { now: Date.now(), since: start, graceMs: 60_000 });
      const r: FaultResult = {
        seed: opt.seed,
        fault: f.name,
        faultAt: (faultAt - start) / 1000,
        ...(mid === undefined ? {} : { mid }),
        // Settled before the fault (its last change came first): 0.
        settled: end === null ? null : Math.max(0, end - faultAt) / 1000,
        requests: audit.requests - audit0.requests,
        evictions: audit.evictions - audit0.evictions,
        pdbViolations: o.pdbViolations - violations0,
        ...c,
        what: `${what}; ${leader ?? 'no replica'} leads after`,
      };
      opt.log(`result ${JSON.stringify(r)}`);
      out.push(r);
      // Both replicas up again before the next fault, whatever this one did to them.
      const back = Date.now() + 120_000;
      while (replicas.up().length < 2) {
        if (Date.now() > back) throw new Error(`a replica is not back 2 minutes after ${f.name}; see ${dir}`);
        await sleep(1000);
      }
    }
  } finally {
    o.stop();
    ledger.stop();
    await replicas?.stop();
    await queue?.stop();
    await stopKwok?.();
    await cp.stop();
  }
  return out;
}
