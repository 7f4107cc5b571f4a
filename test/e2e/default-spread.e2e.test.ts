/**
 * The cluster's default topology spread against kube-scheduler itself (Karpenter v1.15's
 * --scheduler-config): kube-scheduler runs with PodTopologySpread defaultConstraints (zone, maxSkew 1,
 * DoNotSchedule, defaultingType List); three Nodes in three zones, two `web` pods already on the
 * zone-a node, a Service selecting `web`. A third `web` pod, which declares no spread of its own, is
 * created: kube-scheduler must put it in zone b or c (the Service gives it the selector). `berth plan
 * --nodes --scheduler-config` with the same KubeSchedulerConfiguration, on a dump of the same cluster,
 * must place it in the same zones; without the flag it is free to take zone a, and does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { startControlPlane, schedulerConfig, type ControlPlane } from './control-plane.js';
import { installed, kubectlWith } from './harness.js';

const ZONE = 'topology.kubernetes.io/zone';
const SPREAD = [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' }];

let cp: ControlPlane | undefined;
let kubectl: ReturnType<typeof kubectlWith>;
let dir: string;

const node = (name: string, zone: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name,
    labels: {
      'node.kubernetes.io/instance-type': 'm6i.xlarge',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/hostname': name,
      'karpenter.sh/nodepool': 'berth-general',
      'karpenter.sh/capacity-type': 'on-demand',
      'berth.dev/runtime-class': 'general',
      [ZONE]: zone,
    },
  },
});
const pod = (name: string, nodeName?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app: 'web' } },
  spec: {
    ...(nodeName ? { nodeName } : {}),
    nodeSelector: { 'berth.dev/runtime-class': 'general' },
    tolerations: [
      { key: 'berth.dev/runtime-class', operator: 'Equal', value: 'general', effect: 'NoSchedule' },
    ],
    containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '500m', memory: '512Mi' } } }],
  },
});
const SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-e2e-spread-'));
  cp = await startControlPlane(installed('build-control-plane.sh'), join(dir, 'cluster'), {
    defaultSpread: SPREAD,
  });
  kubectl = kubectlWith(cp.kubeconfig);
  expect(kubectl(['create', 'namespace', 'shop']).code).toBe(0);
  for (const [name, zone] of [
    ['node-a', 'us-east-1a'],
    ['node-b', 'us-east-1b'],
    ['node-c', 'us-east-1c'],
  ] as const) {
    expect(kubectl(['create', '-f', '-'], JSON.stringify(node(name, zone))).code).toBe(0);
    const status = {
      allocatable: { cpu: '3920m', memory: '14162Mi', pods: '58' },
      capacity: { cpu: '4', memory: '16Gi', pods: '58' },
      conditions: [{ type: 'Ready', status: 'True' }],
    };
    const r = kubectl([
      'patch',
      'node',
      name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    ]);
    expect(r.code, r.stderr).toBe(0);
  }
  expect(kubectl(['create', '-f', '-'], JSON.stringify(SERVICE)).code).toBe(0);
  for (const name of ['web-1', 'web-2'])
    expect(kubectl(['create', '-f', '-'], JSON.stringify(pod(name, 'node-a'))).code).toBe(0);
}, 1_800_000);

afterAll(async () => {
  await cp?.stop();
});

async function boundTo(name: string): Promise<string> {
  for (let i = 0; i < 120; i++) {
    const p = JSON.parse(kubectl(['get', 'pod', name, '-n', 'shop', '-o', 'json']).stdout) as {
      spec: { nodeName?: string };
    };
    if (p.spec.nodeName) return p.spec.nodeName;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`kube-scheduler bound no node for ${name}`);
}

describe('a default topology spread (--scheduler-config), as kube-scheduler applies it', () => {
  it('berth plan --nodes --scheduler-config keeps the new pod out of the crowded zone, as kube-scheduler does', async () => {
    // Berth reads the cluster as it stands before the new pod.
    const dump = kubectl(['get', 'nodes,pods,services', '-n', 'shop', '-o', 'yaml']);
    const items = (parseAllDocuments(dump.stdout)[0]?.toJS() as { items: { kind: string }[] }).items;
    const nodes = join(dir, 'cluster.yaml');
    writeFileSync(
      nodes,
      stringify({ apiVersion: 'v1', kind: 'List', items: items.filter((o) => o.kind !== 'Service') }),
    );
    const files = join(dir, 'new.yaml');
    writeFileSync(files, [pod('web-3'), SERVICE].map((o) => JSON.stringify(o)).join('\n---\n'));
    const config = join(dir, 'scheduler.json');
    writeFileSync(config, schedulerConfig('/dev/null', { defaultSpread: SPREAD }));

    expect(kubectl(['create', '-f', '-'], JSON.stringify(pod('web-3'))).code).toBe(0);
    const scheduled = await boundTo('web-3');
    expect(['node-b', 'node-c']).toContain(scheduled);

    const plan = (...more: string[]) => {
      const r = spawnSync(
        process.execPath,
        ['dist/src/cli/main.js', 'plan', '-f', files, '--nodes', nodes, '-o', 'json', ...more],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { nodes: { name: string; existing: boolean; pods: string[] }[] };
      return doc.nodes.find((n) => n.pods.includes('shop/web-3'));
    };
    const spread = plan('--scheduler-config', config);
    expect(spread?.existing).toBe(true);
    expect(['node-b', 'node-c']).toContain(spread?.name);
    // Without the cluster's defaults Berth packs the crowded node, which kube-scheduler here refuses.
    expect(plan()?.name).toBe('node-a');
  });
});
