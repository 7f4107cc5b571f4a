/**
 * How disruption moves pods, on kwok with a real control plane: a single-replica Deployment under a
 * PDB moved surge-first (its new pod Ready before the old one stops: never zero Ready replicas,
 * sampled every 200 ms), and a drift wave (the NodePool's template changed) replacing every node
 * within its budget, replacements Ready first, no pod pending longer than a launch takes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startControlPlane, type ControlPlane } from './control-plane.js';
import {
  eventually,
  gatesAnnounced,
  installed,
  kubectlWith,
  loopbackCerts,
  registerWebhooks,
  startBerth,
  type Berth,
} from './harness.js';
import { nodeDetails } from './disruption.js';
import { nodeClaims } from './nodeclaims.js';
import { startKwok } from './kwok.js';

const run = promisify(execFile);
const NS = 'moves';
let cp: ControlPlane;
let kubectl: ReturnType<typeof kubectlWith>;
let berth: Berth | undefined;
let stopKwok: (() => Promise<void>) | undefined;
let dir: string;

/** On-demand amd64 nodes; drift at most a third of them at once; consolidation after 5 s. */
const pool = (wave = '1') => ({
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'moves' },
  spec: {
    template: {
      metadata: { labels: { wave } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
          { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large', 'm5.xlarge'] },
        ],
        expireAfter: 'Never',
      },
    },
    disruption: {
      consolidationPolicy: 'WhenEmpty',
      consolidateAfter: '5s',
      budgets: [
        { nodes: '100%', reasons: ['Empty', 'Underutilized'] },
        { nodes: '34%', reasons: ['Drifted'] },
      ],
    },
  },
});

const deployment = (name: string, replicas: number, cpu: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, 'berth.dev/runtime-class': 'general' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'app',
            image: 'registry.k8s.io/pause:3.10',
            resources: { requests: { cpu, memory: '512Mi' } },
          },
        ],
      },
    },
  },
});

const apply = (objects: readonly object[]) =>
  kubectl(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));

interface PodItem {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

async function podsNow(): Promise<PodItem[]> {
  const { stdout } = await run(
    'kubectl',
    ['--kubeconfig', cp.kubeconfig, 'get', 'pods', '-n', NS, '-o', 'json'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return (JSON.parse(stdout) as { items: PodItem[] }).items;
}

const ready = (p: PodItem) =>
  p.metadata.deletionTimestamp === undefined &&
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Samples `probe` every `ms` until stopped; the samples it took. */
function sampler<T>(ms: number, probe: () => Promise<T>): { stop: () => Promise<T[]> } {
  const out: T[] = [];
  const state = { on: true };
  const loop = (async () => {
    while (state.on) {
      const at = Date.now();
      out.push(await probe());
      await new Promise((r) => setTimeout(r, Math.max(0, ms - (Date.now() - at))));
    }
  })();
  return {
    stop: async () => {
      state.on = false;
      await loop;
      return out;
    },
  };
}

const allRunning = (n: number) => async () => {
  const ps = (await podsNow()).filter((p) => p.metadata.deletionTimestamp === undefined);
  return ps.length === n && ps.every((p) => p.status?.phase === 'Running' && ready(p)) ? ps : undefined;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-moves-'));
  const bin = installed('build-control-plane.sh');
  const kwokDir = installed('install-kwok.sh');
  cp = await startControlPlane(bin, join(dir, 'cluster'));
  kubectl = kubectlWith(cp.kubeconfig);
  for (const crds of ['deploy/crds', 'deploy/karpenter-crds'])
    expect(kubectl(['apply', '-k', crds]).code).toBe(0);
  expect(kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']).code).toBe(0);
  for (const ns of ['berth-system', NS]) expect(kubectl(['create', 'namespace', ns]).code).toBe(0);
  expect(apply([pool()]).code).toBe(0);
  stopKwok = await startKwok(cp.kubeconfig, dir, kwokDir);
  // The repository's policies, with surge-first moves turned on for the general class.
  const policies = join(dir, 'policies.yaml');
  const text = readFileSync('policies.yaml', 'utf8');
  const general = '    consolidates: true\n    memoryLimitRatio: 1.5\n';
  expect(text).toContain(general);
  writeFileSync(policies, text.replace(general, `${general}    surgeFirst: true\n`));
  berth = await startBerth({
    kubeconfig: cp.kubeconfig,
    tlsDir: loopbackCerts(dir),
    policies,
    dir,
    identity: 'berth-moves',
    port: await freePort(),
    metricsPort: await freePort(),
    args: [
      ...['--cloud', 'kwok', '--kwok-registration-delay', '2', '--disruption-delay', '2'],
      ...['--scheduling-gate', 'webhook'],
    ],
  });
  const ca = readFileSync(join(dir, 'tls', 'ca.crt')).toString('base64');
  const registered = registerWebhooks(kubectl, berth, ca, ['MutatingWebhookConfiguration'], { gate: true });
  expect(registered.code, registered.stderr).toBe(0);
  expect(await gatesAnnounced(kubectl, 'on')).toBe('on');
  const pdb = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'solo', namespace: NS },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'solo' } } },
  };
  expect(apply([deployment('solo', 1, '500m'), pdb, deployment('fill', 10, '900m')]).code).toBe(0);
  await eventually('11 pods Running and Ready', allRunning(11), 240_000);
}, 1_800_000);

afterAll(async () => {
  await berth?.stop();
  await stopKwok?.();
  await (cp as ControlPlane | undefined)?.stop();
  console.log(`disruption moves e2e logs in ${dir}`);
});

describe('single replicas moved surge-first; drift in waves', () => {
  it('moves a single-replica Deployment under minAvailable 1 off a drifted node with never zero Ready', async () => {
    const solo = (await podsNow()).find((p) => p.metadata.labels?.app === 'solo');
    const from = solo?.spec.nodeName ?? '';
    expect(from).not.toBe('');
    const samples = sampler(
      200,
      async () => (await podsNow()).filter((p) => p.metadata.labels?.app === 'solo' && ready(p)).length,
    );
    // The node no longer meets its NodePool's requirements: drift replaces it.
    expect(kubectl(['label', 'node', from, 'kubernetes.io/arch=arm64', '--overwrite']).code).toBe(0);
    const start = Date.now();
    await eventually(
      `${from} drained and gone, solo Running elsewhere`,
      async () => {
        const gone = !nodeDetails(kubectl).some((n) => n.name === from);
        const now = (await podsNow()).filter((p) => p.metadata.labels?.app === 'solo' && ready(p));
        return gone && now.length === 1 && now[0]?.spec.nodeName !== from;
      },
      240_000,
    );
    const counts = await samples.stop();
    console.log(
      `surge-first: solo moved off ${from} in ${((Date.now() - start) / 1000).toFixed(1)}s; ${counts.length} samples, Ready replicas min ${Math.min(...counts)}`,
    );
    expect(counts.length).toBeGreaterThan(20);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    const events = kubectl([
      'get',
      'events',
      '-n',
      NS,
      '--field-selector',
      'involvedObject.name=solo,reason=SurgeMove',
      '-o',
      'json',
    ]);
    expect(events.stdout).toContain(`moves off node ${from} (drift) surge-first`);
    const metrics = await fetch(berth?.metrics ?? '').then((r) => r.text());
    expect(metrics).toContain('berth_disruption_surge_moves_total{result="started"} 1');
  }, 300_000);

  it('replaces every node after a template change in waves within the budget, no pod pending longer than a launch', async () => {
    const before = nodeDetails(kubectl)
      .filter((n) => n.pool === 'moves')
      .map((n) => n.name);
    expect(before.length).toBeGreaterThanOrEqual(3);
    const pending = new Map<string, { since: number; until?: number }>();
    let [mostAtOnce, budgetThen, overBudget] = [0, 0, Number.NEGATIVE_INFINITY];
    const watch = sampler(500, async () => {
      const now = Date.now();
      for (const p of await podsNow()) {
        if (p.metadata.deletionTimestamp !== undefined) continue;
        const seen = pending.get(p.metadata.uid);
        if (p.spec.nodeName === undefined && !seen) pending.set(p.metadata.uid, { since: now });
        else if (p.spec.nodeName !== undefined && seen && seen.until === undefined) seen.until = now;
      }
      // Karpenter's budget scales against the pool's nodes as they are now, replacements included
      // once initialized (NodePoolStatsFromNodes): 34% of 4 nodes is 2, of 6 (two replacements up) 3.
      const nodes = nodeDetails(kubectl).filter((n) => n.pool === 'moves');
      const going = nodes.filter((n) => n.annotations['berth.dev/disruption'] !== undefined).length;
      const cap = Math.ceil(nodes.length * 0.34);
      if (going > mostAtOnce) [mostAtOnce, budgetThen] = [going, cap];
      overBudget = Math.max(overBudget, going - cap);
      return going;
    });
    const start = Date.now();
    expect(apply([pool('2')]).code).toBe(0);
    await eventually(
      'every node replaced, 11 pods Running and Ready',
      async () => {
        const nodes = nodeDetails(kubectl).filter((n) => n.pool === 'moves');
        return nodes.every((n) => !before.includes(n.name)) && (await allRunning(11)()) !== undefined;
      },
      600_000,
    );
    await watch.stop();
    // A launch, as this run's replacements took it: claim created → Node Ready.
    const launches = nodeClaims(kubectl)
      .filter((c) => Date.parse(c.metadata.creationTimestamp ?? '') >= start)
      .map((c) => {
        const readyAt = c.status?.conditions?.find(
          (x) => x.type === 'Ready' && x.status === 'True',
        )?.lastTransitionTime;
        return (Date.parse(readyAt ?? '') - Date.parse(c.metadata.creationTimestamp ?? '')) / 1000;
      })
      .filter((s) => Number.isFinite(s));
    const launch = Math.max(...launches);
    const waits = [...pending.values()].map((w) => ((w.until ?? Date.now()) - w.since) / 1000);
    const longest = Math.max(0, ...waits);
    console.log(
      `drift wave: ${before.length} nodes replaced in ${((Date.now() - start) / 1000).toFixed(1)}s; at most ${mostAtOnce} disrupted at once (budget then ${budgetThen}); ${waits.length} pods waited, the longest ${longest.toFixed(1)}s; a launch took up to ${launch.toFixed(1)}s`,
    );
    expect(launches.length).toBeGreaterThan(0);
    expect(mostAtOnce).toBeGreaterThan(0);
    // Never more disrupting than the budget allowed at that moment; never the whole pool at once.
    expect(overBudget).toBeLessThanOrEqual(0);
    expect(mostAtOnce).toBeLessThan(before.length);
    // The sampling is every 0.5 s: a wait is known to that much.
    expect(longest).toBeLessThanOrEqual(launch + 1);
  }, 700_000);
});
