/**
 * In-place pod resize against kube-scheduler itself: for each case of test/resize/ whose outcome the
 * scheduler decides (a resize down in progress, a resize up Infeasible), the Node, a steady pod and
 * the resized pod go into a fresh control plane, the pods' status as a kubelet would write it
 * (allocated and actual resources, the PodResizeInProgress or PodResizePending condition); then the
 * new 600m pod is created and kube-scheduler binds it or leaves it pending. `berth plan --nodes` on a
 * dump of the same cluster must place it alike: on the node, or on a node it buys.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { installed, kubectlWith } from './harness.js';

let cp: ControlPlane | undefined;
let kubectl: ReturnType<typeof kubectlWith>;
let dir: string;

type Obj = { kind: string; metadata: { name: string }; status?: unknown; spec?: Record<string, unknown> };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-e2e-resize-'));
  cp = await startControlPlane(installed('build-control-plane.sh'), join(dir, 'cluster'));
  kubectl = kubectlWith(cp.kubeconfig);
  expect(kubectl(['create', 'namespace', 'shop']).code).toBe(0);
}, 1_800_000);

afterAll(async () => {
  await cp?.stop();
});

/** Creates an object, then writes its status as the node's kubelet would. */
function createWithStatus(o: Obj): void {
  const { status, ...rest } = o;
  const created = kubectl(['create', '-f', '-'], stringify(rest));
  expect(created.code, created.stderr).toBe(0);
  if (status === undefined) return;
  const kind = o.kind === 'Node' ? 'node' : 'pod';
  const ns = o.kind === 'Node' ? [] : ['-n', 'shop'];
  const patched = kubectl([
    'patch',
    kind,
    o.metadata.name,
    ...ns,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ]);
  expect(patched.code, patched.stderr).toBe(0);
}

async function scheduledOrNot(pod: string): Promise<'existing' | 'bought'> {
  for (let i = 0; i < 120; i++) {
    const r = kubectl(['get', 'pod', pod, '-n', 'shop', '-o', 'json']);
    const p = JSON.parse(r.stdout) as {
      spec: { nodeName?: string };
      status?: { conditions?: { type: string; status: string; reason?: string }[] };
    };
    if (p.spec.nodeName) return 'existing';
    const c = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
    if (c?.status === 'False' && c.reason === 'Unschedulable') return 'bought';
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`kube-scheduler decided nothing for ${pod}`);
}

describe.each(['down-in-progress', 'up-infeasible'])('in-place resize %s, as kube-scheduler binds', (c) => {
  it('berth plan --nodes places the new pod as kube-scheduler does', async () => {
    kubectl(['delete', 'pods', '--all', '-n', 'shop', '--grace-period=0', '--force', '--wait=true']);
    kubectl(['delete', 'nodes', '--all', '--wait=true']);
    const objs = parseAllDocuments(readFileSync(`test/resize/${c}/cluster.yaml`, 'utf8')).map(
      (d) => d.toJS() as Obj,
    );
    for (const o of objs) createWithStatus(o);
    const newcomer = readFileSync(`test/resize/${c}/pods.yaml`, 'utf8');
    expect(kubectl(['create', '-f', '-'], newcomer).code).toBe(0);
    const scheduler = await scheduledOrNot('newcomer');
    expect(scheduler).toBe(
      (readFileSync(`test/resize/${c}/expected.yaml`, 'utf8').match(/^newcomer: (\w+)/m) ?? [])[1],
    );
    // Berth on the cluster as it stood before the new pod: a dump of its Nodes and Pods.
    const dump = kubectl(['get', 'nodes,pods', '-n', 'shop', '-o', 'yaml']);
    const file = join(dir, `${c}-dump.yaml`);
    const items = (parseAllDocuments(dump.stdout)[0]?.toJS() as { items: Obj[] }).items.filter(
      (o) => o.metadata.name !== 'newcomer',
    );
    writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'List', items }));
    const plan = spawnSync(
      process.execPath,
      ['dist/src/cli/main.js', 'plan', '-f', `test/resize/${c}/pods.yaml`, '--nodes', file, '-o', 'json'],
      { encoding: 'utf8' },
    );
    expect(plan.status, plan.stderr).toBe(0);
    const nodes = (JSON.parse(plan.stdout) as { nodes: { existing: boolean; pods: string[] }[] }).nodes;
    const placed = nodes.find((n) => n.pods.includes('shop/newcomer'));
    expect(placed?.existing ? 'existing' : 'bought').toBe(scheduler);
  });
});
