/**
 * The cluster-scale tier's small form: Karpenter's performance suite's *basic* workload at 1/10 size
 * (50 pods of 900m/3100Mi and 50 of 3500m/28Gi, then down to 35 + 35) on a fresh control plane, with
 * Berth (`--cloud kwok`) buying the nodes, kube-scheduler binding the pods and kwok running them — no
 * kubelet. Karpenter's NodePool settings: on-demand, linux, amd64, WhenEmptyOrUnderutilized after 30s,
 * budget 100%. Asserts: every pod Running, the nodes' $/h within 1.25× what `berth plan` buys for the
 * same pods, consolidation after the scale-down (lower $/h, no more nodes), no PDB ever below its minimum,
 * and node repair: a Node whose Ready has been False past its toleration replaced within its PDBs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../src/catalog/catalog.js';
import { solverInputOf } from '../../src/provisioner/input/plan-input.js';
import { solve } from '../../src/provisioner/solver/solve.js';
import type { NodePool } from '../../src/scheduling/nodepool.js';
import { freePort, startControlPlane, type ControlPlane } from './control-plane.js';
import {
  eventually,
  gatesAnnounced,
  kubectlWith,
  loopbackCerts,
  registerWebhooks,
  startBerth,
  type Berth,
} from './harness.js';
import { nodeDetails } from './disruption.js';
import { nodeClaims } from './nodeclaims.js';
import { startKwok } from './kwok.js';
import { deploymentOf, pdbOf } from '../support/perf-workloads.js';

const catalog = builtinCatalog();
let cp: ControlPlane;
let kubectl: ReturnType<typeof kubectlWith>;
let berth: Berth | undefined;
let stopKwok: (() => Promise<void>) | undefined;
let dir: string;

const pool: NodePool = {
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'perf' },
  spec: {
    template: {
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
        requirements: [
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
          { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
          { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
        ],
        expireAfter: 'Never',
      },
    },
    disruption: {
      consolidationPolicy: 'WhenEmptyOrUnderutilized',
      consolidateAfter: '30s',
      budgets: [{ nodes: '100%' }],
    },
  },
};

const apply = (objects: readonly object[]) =>
  kubectl(['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));

interface PodItem {
  metadata: { labels?: Record<string, string>; deletionTimestamp?: string };
  spec: {
    nodeName?: string;
    schedulingGates?: { name: string }[];
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: {
          nodeSelectorTerms: { matchFields?: { key: string; values?: string[] }[] }[];
        };
        preferredDuringSchedulingIgnoredDuringExecution?: {
          weight: number;
          preference: { matchFields?: { key: string; values?: string[] }[] };
        }[];
      };
    };
  };
  status?: { phase?: string };
}

/** The Node Berth pinned a pod to as it lifted the gate (a required term by metadata.name). */
const pinnedTo = (p: PodItem): string | undefined =>
  p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms
    .flatMap((t) => t.matchFields ?? [])
    .find((f) => f.key === 'metadata.name')?.values?.[0];

/** The Node Berth steered a pod to as it lifted the gate: pinned there, or else its preferred term. */
const steeredTo = (p: PodItem): string | undefined =>
  pinnedTo(p) ??
  p.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution
    ?.flatMap((t) => t.preference.matchFields ?? [])
    .find((f) => f.key === 'metadata.name')?.values?.[0];

/** A Prometheus text sample's value (`name{labels}` exactly as exposed), 0 when absent. */
const metricSum = (text: string, sample: string): number =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${sample} `))
    .reduce((n, l) => n + Number(l.slice(sample.length + 1)), 0);
const pods = (): PodItem[] =>
  (
    JSON.parse(kubectl(['get', 'pods', '-n', 'perf', '-o', 'json']).stdout || '{"items":[]}') as {
      items: PodItem[];
    }
  ).items.filter((p) => p.metadata.deletionTimestamp === undefined);
const running = (n: number) => () => {
  const ps = pods();
  return ps.length === n && ps.every((p) => p.status?.phase === 'Running') ? ps : undefined;
};

/** $/h of the nodes of the pool, priced from the catalog as the plan prices them. */
function clusterPrice(): { nodes: number; price: number } {
  const nodes = nodeDetails(kubectl).filter((n) => n.pool === 'perf');
  let price = 0;
  for (const n of nodes) {
    const type = catalog.byName(n.labels['node.kubernetes.io/instance-type'] ?? '');
    price += type
      ? (catalog.price(type, n.labels['topology.kubernetes.io/zone'] ?? '', 'on-demand') ?? 0)
      : 0;
  }
  return { nodes: nodes.length, price };
}

/** Samples every PDB of the namespace; counts the samples where one had fewer healthy pods than it requires. */
function pdbWatch(): { stop: () => number } {
  let violations = 0;
  const t = setInterval(() => {
    const r = kubectl(['get', 'pdb', '-n', 'perf', '-o', 'json']);
    const items = (
      JSON.parse(r.stdout || '{"items":[]}') as {
        items: { status?: { currentHealthy?: number; desiredHealthy?: number } }[];
      }
    ).items;
    for (const p of items)
      if ((p.status?.currentHealthy ?? 0) < (p.status?.desiredHealthy ?? 0)) violations += 1;
  }, 1000);
  return {
    stop: () => {
      clearInterval(t);
      return violations;
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-kwok-'));
  const bin = execFileSync('bash', ['test/e2e/build-control-plane.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const kwokDir = execFileSync('bash', ['test/e2e/install-kwok.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  cp = await startControlPlane(bin, join(dir, 'cluster'));
  kubectl = kubectlWith(cp.kubeconfig);
  for (const crds of ['deploy/crds', 'deploy/karpenter-crds'])
    expect(kubectl(['apply', '-k', crds]).code).toBe(0);
  expect(kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']).code).toBe(0);
  for (const ns of ['berth-system', 'perf']) expect(kubectl(['create', 'namespace', ns]).code).toBe(0);
  expect(apply([pool]).code).toBe(0);
  stopKwok = await startKwok(cp.kubeconfig, dir, kwokDir);
  const policies = join(dir, 'policies.yaml');
  // The repository's policies: provisioner.mode berth, consolidation on; node repair turned on.
  writeFileSync(
    policies,
    readFileSync('policies.yaml', 'utf8').replace('nodeRepair: false', 'nodeRepair: true'),
  );
  berth = await startBerth({
    kubeconfig: cp.kubeconfig,
    tlsDir: loopbackCerts(dir),
    policies,
    dir,
    identity: 'berth-kwok',
    port: await freePort(),
    metricsPort: await freePort(),
    // The gate webhook, as on clusters before 1.36 (scenarios.e2e.test.ts has the policy gate).
    args: [
      ...['--cloud', 'kwok', '--kwok-registration-delay', '2', '--disruption-delay', '2'],
      ...['--scheduling-gate', 'webhook'],
    ],
  });
  // Berth's mutating webhooks, the scheduling gate among them (its validating webhook is not what
  // this tier measures).
  const ca = readFileSync(join(dir, 'tls', 'ca.crt')).toString('base64');
  const registered = registerWebhooks(kubectl, berth, ca, ['MutatingWebhookConfiguration'], { gate: true });
  expect(registered.code, registered.stderr).toBe(0);
  // The leader announces on its Lease that new pods are gated, by the webhook.
  expect(await gatesAnnounced(kubectl, 'on')).toBe('on');
}, 1_800_000);

afterAll(async () => {
  await berth?.stop();
  await stopKwok?.();
  await (cp as ControlPlane | undefined)?.stop();
  console.log(`kwok e2e logs in ${dir}`);
});

describe('9. the basic workload at 1/10 on kwok (Karpenter performance suite)', () => {
  const small = deploymentOf({ name: 'small-resource-app', replicas: 50, cpu: '900m', memory: '3100Mi' });
  const large = deploymentOf({ name: 'large-resource-app', replicas: 50, cpu: '3500m', memory: '28Gi' });

  it('scales out: 100 pods Running on nodes Berth bought, within 1.25× the plan for the same pods', async () => {
    const start = Date.now();
    expect(apply([small, large, pdbOf('small-resource-app'), pdbOf('large-resource-app')]).code).toBe(0);
    await eventually('100 pods Running', running(100), 240_000);
    const seconds = (Date.now() - start) / 1000;
    const input = solverInputOf({
      objects: [small, large],
      cluster: [],
      nodePools: [pool],
      catalog,
      defaultNamespace: 'perf',
    });
    const plan = solve({ ...input, budgetMillis: 2000 });
    const bound = plan.lowerBound;
    const { nodes, price } = clusterPrice();
    console.log(
      `kwok basic/10 scale-out: ${seconds.toFixed(1)}s to 100 Running, ${nodes} nodes, $${price.toFixed(3)}/h; berth plan $${plan.totals.pricePerHour.toFixed(3)}/h; LP lower bound $${bound.toFixed(3)}/h (${(price / bound).toFixed(3)}×)`,
    );
    // kube-scheduler, not Berth, binds the pods, and it spreads them over the planned nodes in its own
    // way: a few may then need one more node (1.00–1.14× the plan in runs so far; docs/benchmarks.md).
    // The goal, 1.10× the LP bound, is not met: the plan itself is 1.13× the bound at this size.
    expect(price).toBeLessThanOrEqual(plan.totals.pricePerHour * 1.25);
    // Every pod was created behind the scheduling gate and let through once its capacity was there.
    const metrics = await fetch(berth?.metrics ?? '').then((r) => r.text());
    expect(
      metricSum(metrics, 'berth_provisioner_gates_lifted_total{reason="capacity"}'),
    ).toBeGreaterThanOrEqual(100);
    const all = pods();
    expect(all.every((p) => p.spec.schedulingGates === undefined)).toBe(true);
    // Each was steered to the Node the plan put it on, and kube-scheduler followed the plan.
    const steered = all.filter((p) => steeredTo(p) !== undefined);
    const followed = steered.filter((p) => steeredTo(p) === p.spec.nodeName);
    const pinned = all.filter((p) => pinnedTo(p) !== undefined);
    console.log(
      `kwok basic/10: ${steered.length} pods steered (${pinned.length} pinned), ${followed.length} on the Node planned`,
    );
    expect(steered.length).toBeGreaterThanOrEqual(95);
    // A Deployment's pods are pinned (provisioner.pinToPlannedNode, on by default).
    expect(pinned.length).toBe(steered.length);
    expect(followed.length).toBeGreaterThanOrEqual(steered.length - 2);
    // Every node is a NodeClaim's.
    await eventually(
      'a NodeClaim for every node',
      () => nodeClaims(kubectl).filter((c) => c.status?.nodeName !== undefined).length === nodes,
      30_000,
    );
  }, 300_000);

  it('scales in to 35 + 35: consolidated to cheaper capacity (no more nodes), no PDB ever below its minimum', async () => {
    const before = clusterPrice();
    const watch = pdbWatch();
    const start = Date.now();
    expect(
      kubectl([
        'scale',
        'deployment',
        'small-resource-app',
        'large-resource-app',
        '-n',
        'perf',
        '--replicas=35',
      ]).code,
    ).toBe(0);
    await eventually('70 pods Running', running(70), 120_000);
    const after = await eventually(
      'the pool consolidated below its scale-out price',
      () => {
        const p = clusterPrice();
        const settled =
          running(70)() !== undefined &&
          !nodeDetails(kubectl).some((n) => n.annotations['berth.dev/disruption'] !== undefined);
        return settled && p.price < before.price && p.nodes <= before.nodes ? p : undefined;
      },
      480_000,
    );
    const violations = watch.stop();
    console.log(
      `kwok basic/10 consolidation: ${((Date.now() - start) / 1000).toFixed(1)}s, ${before.nodes} → ${after.nodes} nodes, $${before.price.toFixed(3)} → $${after.price.toFixed(3)}/h, PDB violations ${violations}`,
    );
    expect(violations).toBe(0);
    expect(running(70)()).toBeDefined();
  }, 600_000);

  // Karpenter's node repair (NodeRepair gate; node/health): Ready False past its 30-minute toleration.
  // No kubelet and no node lifecycle controller here: the condition is written as a kubelet would,
  // its transition 31 minutes ago, and kwok's heartbeat leaves a Node that is not Ready alone.
  it('repairs a Node whose Ready has been False for 31 minutes: replaced, drained within the PDBs', async () => {
    const victim = nodeDetails(kubectl)
      .filter((n) => n.pool === 'perf')
      .map((n) => ({ name: n.name, pods: pods().filter((p) => p.spec.nodeName === n.name).length }))
      .sort((a, b) => b.pods - a.pods)[0];
    expect(victim?.pods ?? 0).toBeGreaterThan(0);
    const name = victim?.name ?? '';
    const watch = pdbWatch();
    const start = Date.now();
    const since = new Date(Date.now() - 31 * 60_000).toISOString();
    const patch = {
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'KubeletNotReady',
            message: 'container runtime is down',
            lastTransitionTime: since,
            lastHeartbeatTime: since,
          },
        ],
      },
    };
    const r = kubectl([
      'patch',
      'node',
      name,
      '--subresource=status',
      '--type=strategic',
      '-p',
      JSON.stringify(patch),
    ]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(
      `${name} gone and 70 pods Running elsewhere`,
      () =>
        !nodeDetails(kubectl).some((n) => n.name === name) &&
        running(70)()?.every((p) => p.spec.nodeName !== name) === true,
      300_000,
    );
    const violations = watch.stop();
    const metrics = await fetch(berth?.metrics ?? '').then((res) => res.text());
    console.log(
      `kwok node repair: ${name} (${victim?.pods ?? 0} pods) replaced in ${((Date.now() - start) / 1000).toFixed(1)}s, PDB violations ${violations}`,
    );
    expect(violations).toBe(0);
    expect(
      metricSum(
        metrics,
        'karpenter_nodeclaims_disrupted_total{reason="unhealthy",nodepool="perf",capacity_type="on-demand",consolidation_policy="",termination_mode="graceful"}',
      ),
    ).toBe(1);
    // Karpenter v1.15 counts the pods each disruption reschedules.
    expect(
      metricSum(
        metrics,
        'karpenter_pods_disruption_initiated_total{reason="unhealthy",nodepool="perf",capacity_type="on-demand",consolidation_policy="",termination_mode="graceful"}',
      ),
    ).toBe(victim?.pods ?? -1);
    const events = kubectl([
      'get',
      'events',
      '-A',
      '--field-selector',
      `involvedObject.name=${name},reason=NodeRepair`,
      '-o',
      'name',
    ]);
    expect(events.stdout.trim()).not.toBe('');
  }, 400_000);

  // CapacityBuffer (autoscaling.x-k8s.io/v1beta1, Karpenter v1.14): two chunks of the large pods' shape
  // are bought room for, their status written; consolidation leaves that room past consolidateAfter;
  // the buffer deleted, the room goes.
  it('keeps a CapacityBuffer’s room warm: bought, kept through consolidateAfter, given back once deleted', async () => {
    const perfNodes = () => nodeDetails(kubectl).filter((n) => n.pool === 'perf');
    const before = perfNodes().length;
    const template = {
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: { name: 'large-chunk', namespace: 'perf' },
      template: {
        metadata: { labels: { app: 'large-headroom' } },
        spec: {
          containers: [
            {
              name: 'pause',
              image: 'registry.k8s.io/pause:3.10',
              resources: { requests: { cpu: '3500m', memory: '28Gi' } },
            },
          ],
        },
      },
    };
    const buffer = {
      apiVersion: 'autoscaling.x-k8s.io/v1beta1',
      kind: 'CapacityBuffer',
      metadata: { name: 'large-headroom', namespace: 'perf' },
      spec: { podTemplateRef: { name: 'large-chunk' }, replicas: 2 },
    };
    const r = apply([template, buffer]);
    expect(r.code, r.stderr).toBe(0);
    await eventually('a node bought for the buffer', () => perfNodes().length > before, 120_000);
    const status = await eventually(
      'the buffer ReadyForProvisioning with 2 replicas',
      () => {
        const got = kubectl(['get', 'capacitybuffer', 'large-headroom', '-n', 'perf', '-o', 'json']);
        const s = (
          JSON.parse(got.stdout || '{}') as {
            status?: { replicas?: number; conditions?: { type: string; status: string }[] };
          }
        ).status;
        return s?.replicas === 2 &&
          s.conditions?.some((c) => c.type === 'ReadyForProvisioning' && c.status === 'True')
          ? s
          : undefined;
      },
      60_000,
    );
    expect(status.replicas).toBe(2);
    const withBuffer = perfNodes().length;
    // consolidateAfter is 30 s: 45 s later the room is still there, and no node of it is being disrupted.
    await new Promise((res) => setTimeout(res, 45_000));
    expect(perfNodes().length).toBe(withBuffer);
    expect(running(70)()).toBeDefined();
    expect(kubectl(['delete', 'capacitybuffer', 'large-headroom', '-n', 'perf']).code).toBe(0);
    await eventually('the buffer’s room given back', () => perfNodes().length < withBuffer, 240_000);
    console.log(
      `kwok capacity buffer: ${before} → ${withBuffer} nodes with the buffer, back to ${perfNodes().length} after`,
    );
  }, 500_000);
});
