/**
 * Berth installed with its Helm chart (charts/berth) on a fresh control plane, as a platform team runs
 * `helm install --wait`, hooks and all, and lost again:
 * - kwok runs the Deployment's pods (no kubelet here), so `--wait` sees them Ready; nothing was
 *   waiting on a hook, and no webhook configuration exists while no replica answers: writes go on.
 * - A replica (`berth serve` on the host, as the chart runs it, with Berth's own service account
 *   token) issues Secret berth-tls and registers the webhooks, owned by ClusterRole berth; kubectl
 *   shows its denials.
 * - With every replica stopped: an HPA-style /scale as the HPA controller's account, a label edit, a
 *   finalizer removal and a status write all succeed; a spec change is still refused (Fail).
 * - Impersonating Berth's account: a running pod's image cannot be changed, a gated pod's gate can be
 *   lifted (Berth's own patch), a PDB it does not own cannot be written.
 * - `helm uninstall` leaves no webhook configuration behind (the garbage collector, through the
 *   ClusterRole that owns them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { liftGate } from '../../src/kube/pod-gates.js';
import { jsonPatchPods, patchRaw, type PatchRefused } from '../../src/kube/raw-patch.js';
import { freePort, kubeconfigFor, startControlPlane, type ControlPlane } from './control-plane.js';
import { designProfile } from '../support/design-example.js';
import {
  eventually,
  installed,
  installedPolicies,
  kubectlWith,
  servesGatePolicy,
  startBerth,
  type Berth,
} from './harness.js';
import { startKwok } from './kwok.js';

let cp: ControlPlane | undefined;
let berth: Berth | undefined;
let stopKwok: (() => Promise<void>) | undefined;
let kubectl: ReturnType<typeof kubectlWith>;
let helm: (args: string[]) => { code: number; stdout: string; stderr: string };
let install: { code: number; stdout: string; stderr: string; seconds: number };
let dir: string;

const NS = 'berth-system';
const SA = `system:serviceaccount:${NS}:berth`;
const PROFILE = (minAvailable: string) => designProfile('billing-api', minAvailable);
// schedulerName other than kube-scheduler's: its pods are neither gated nor bound (nothing here runs them).
const DEPLOYMENT = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: billing-api, namespace: payments, labels: { berth.dev/profile: billing-api } }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: billing-api } }
  template:
    metadata: { labels: { app: billing-api } }
    spec:
      schedulerName: not-scheduled-here
      containers: [{ name: app, image: registry.example.com/billing-api:1.0.0 }]
`;
const kwokNode = (name: string, zone: string) => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations: { kwok.x-k8s.io/node: fake }
  labels: { kubernetes.io/hostname: ${name}, topology.kubernetes.io/zone: ${zone}, type: kwok }
status:
  allocatable: { cpu: "16", memory: 64Gi, pods: "110" }
  capacity: { cpu: "16", memory: 64Gi, pods: "110" }
`;
const exists = (what: string[]) => kubectl(['get', ...what]).code === 0;
/** Whether the control plane serves MutatingAdmissionPolicy v1: Berth gates by policy there. */
const byPolicy = () => servesGatePolicy(kubectl);
const GATED_POD = `apiVersion: v1
kind: Pod
metadata: { name: gated, namespace: payments }
spec:
  containers: [{ name: app, image: registry.example.com/app:1.0.0 }]
`;
/** The gates the API server gives a new pod (created with --dry-run=server: written nowhere). */
const dryRunGates = () =>
  kubectl(
    ['create', '--dry-run=server', '-o', 'jsonpath={.spec.schedulingGates[*].name}', '-f', '-'],
    GATED_POD.replace('name: gated,', 'name: gated-probe,'),
  ).stdout;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-e2e-chart-'));
  const bin = installed('build-control-plane.sh');
  const helmBin = installed('install-helm.sh');
  const kwokDir = installed('install-kwok.sh');
  cp = await startControlPlane(bin, join(dir, 'cluster'));
  const kubeconfig = cp.kubeconfig;
  kubectl = kubectlWith(kubeconfig);
  stopKwok = await startKwok(kubeconfig, dir, kwokDir);
  // Two hosts (one replica a host) in two zones (the chart's zone spread), none a NodePool's.
  for (const [n, z] of [
    ['group-a', 'zone-a'],
    ['group-b', 'zone-b'],
  ] as const)
    expect(kubectl(['apply', '-f', '-'], kwokNode(n, z)).code).toBe(0);
  helm = (args) => {
    const r = spawnSync(helmBin, ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  expect(kubectl(['create', 'namespace', 'payments']).code).toBe(0);
  const t0 = Date.now();
  // As a platform team installs it: hooks on, waiting for the Deployment to be Ready.
  const r = helm([
    'install',
    'berth',
    'charts/berth',
    '-n',
    NS,
    '--create-namespace',
    '--wait',
    '--timeout',
    '4m',
    '--set',
    'mode=berth',
    '--set',
    'settings.cloud=kwok',
  ]);
  install = { ...r, seconds: (Date.now() - t0) / 1000 };
  if (r.code !== 0) {
    // What held the rollout: the pods, where they went, and the namespace's events.
    for (const what of [
      ['get', 'nodes', '-o', 'wide', '--show-labels'],
      ['get', 'pods', '-n', NS, '-o', 'wide'],
      ['describe', 'pods', '-n', NS],
      ['get', 'events', '-n', NS, '--sort-by=.lastTimestamp'],
    ])
      console.error(`$ kubectl ${what.join(' ')}\n${kubectl(what).stdout}`);
  }
}, 1_800_000);

afterAll(async () => {
  await berth?.stop();
  await stopKwok?.();
  await cp?.stop();
});

describe('9c. installed with helm install --wait, and lost', () => {
  it('completes --wait with its hooks, and registers no webhook before a replica answers', () => {
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toContain('STATUS: deployed');
    expect(
      kubectl(['get', 'deployment', 'berth', '-n', NS, '-o', 'jsonpath={.status.readyReplicas}']).stdout,
    ).toBe('2');
    expect(exists(['mutatingwebhookconfiguration', 'berth'])).toBe(false);
    expect(exists(['validatingwebhookconfiguration', 'berth'])).toBe(false);
    // Writes go on meanwhile, in a namespace Berth will judge.
    expect(kubectl(['apply', '-f', '-'], DEPLOYMENT(2)).code).toBe(0);
    expect(exists(['validatingadmissionpolicy', 'berth-own-writes'])).toBe(true);
  });

  it("registers its webhooks once a replica answers, with Berth's own account: the certificate issued into berth-tls", async () => {
    const token = kubectl(['create', 'token', 'berth', '-n', NS, '--duration=2h']);
    expect(token.code, token.stderr).toBe(0);
    const asBerth = join(dir, 'berth.kubeconfig');
    writeFileSync(asBerth, kubeconfigFor(cp?.server ?? '', token.stdout.trim()));
    const policies = join(dir, 'policies.yaml');
    writeFileSync(policies, installedPolicies(kubectl).stdout);
    const webhooks = join(dir, 'webhooks.yaml');
    const declared = kubectl([
      'get',
      'configmap',
      'berth-webhooks',
      '-n',
      NS,
      '-o',
      'jsonpath={.data.webhooks\\.yaml}',
    ]);
    writeFileSync(webhooks, declared.stdout);
    berth = await startBerth({
      identity: 'berth-chart',
      kubeconfig: asBerth,
      tlsDir: join(dir, 'tls'),
      policies,
      port: await freePort(),
      metricsPort: await freePort(),
      dir,
      args: [
        '--cloud',
        'kwok',
        '--tls-secret',
        'berth-tls',
        '--webhooks',
        webhooks,
        '--webhook-owner',
        'berth',
        '--webhook-host',
        '127.0.0.1',
        '--shutdown-delay',
        '1',
      ],
    });
    const cfg = await eventually('the webhook configurations', () => {
      const v = kubectl(['get', 'validatingwebhookconfiguration', 'berth', '-o', 'json']);
      const m = kubectl(['get', 'mutatingwebhookconfiguration', 'berth', '-o', 'json']);
      return v.code === 0 && m.code === 0 ? [JSON.parse(m.stdout), JSON.parse(v.stdout)] : undefined;
    });
    const role = JSON.parse(kubectl(['get', 'clusterrole', 'berth', '-o', 'json']).stdout) as {
      metadata: { uid: string };
    };
    type Cfg = {
      metadata: { ownerReferences: { kind: string; uid: string }[] };
      webhooks: { name: string; clientConfig: { url: string; caBundle: string } }[];
    };
    const ca = Buffer.from(readFileSync(join(dir, 'tls', 'ca.crt'))).toString('base64');
    for (const c of cfg as Cfg[]) {
      expect(c.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'ClusterRole', uid: role.metadata.uid }),
      ]);
      for (const h of c.webhooks) expect(h.clientConfig.caBundle).toBe(ca);
    }
    // On 1.36+ the API server gates new pods itself (MutatingAdmissionPolicy): no gate webhook.
    expect((cfg as Cfg[]).flatMap((c) => c.webhooks.map((h) => h.name)).sort()).toEqual([
      ...(byPolicy() ? [] : ['gate.berth.dev']),
      'mutate.berth.dev',
      'review.berth.dev',
      'scale.berth.dev',
      'validate.berth.dev',
    ]);
    expect(exists(['secret', 'berth-tls', '-n', NS])).toBe(true);
  });

  it("gates a new pod behind berth.dev/capacity (on 1.36+ by the chart's MutatingAdmissionPolicy, bound by the leader), and the leader lifts it", async () => {
    await eventually(
      'a new pod created behind the gate',
      () => dryRunGates() === 'berth.dev/capacity',
      60_000,
    );
    if (byPolicy()) {
      const gate = ['mutatingadmissionpolicy', 'berth-scheduling-gate', '-o', 'jsonpath={.metadata.uid}'];
      const binding = ['mutatingadmissionpolicybinding', 'berth-scheduling-gate'];
      expect(kubectl(['get', ...binding, '-o', 'jsonpath={.metadata.ownerReferences[0].uid}']).stdout).toBe(
        kubectl(['get', ...gate]).stdout,
      );
    }
    expect(kubectl(['apply', '-f', '-'], GATED_POD).code).toBe(0);
    // No NodePool here: Berth cannot place it, and lets it through to kube-scheduler at once.
    await eventually(
      'the leader lifting the gate and kube-scheduler binding the pod',
      () =>
        kubectl(['get', 'pod', 'gated', '-n', 'payments', '-o', 'jsonpath={.spec.nodeName}']).stdout !== '',
      60_000,
    );
    expect(readFileSync(berth?.log ?? '', 'utf8')).toContain('"msg":"lifting scheduling gates"');
  });

  it('denies the undrainable profile through kubectl with its rule id, and accepts the fixed one', async () => {
    const denied = kubectl(['apply', '-f', '-'], PROFILE('80%'));
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('admission webhook "validate.berth.dev" denied the request');
    expect(denied.stderr).toContain('profile-undrainable');
    await eventually(
      'the WorkloadProfile cache',
      () => kubectl(['apply', '-f', '-'], PROFILE('2')).code === 0,
    );
  });

  describe('with every replica stopped', () => {
    beforeAll(async () => {
      // Killed, not drained: nothing it would undo on the way out is undone.
      await berth?.stop('SIGKILL');
      berth = undefined;
      // And the chart's replicas gone: its Service has no ready endpoint.
      expect(kubectl(['scale', 'deployment', 'berth', '-n', NS, '--replicas=0']).code).toBe(0);
    }, 60_000);

    it('creates new pods ungated: no replica is ready to lift a gate', async () => {
      if (byPolicy()) expect(exists(['mutatingadmissionpolicybinding', 'berth-scheduling-gate'])).toBe(true);
      await eventually('a new pod created ungated', () => dryRunGates() === '', 60_000);
    });

    it("scales through /scale as the HPA controller's account, down and up", () => {
      for (const replicas of [1, 3]) {
        const path = '/apis/apps/v1/namespaces/payments/deployments/billing-api/scale';
        const scale = JSON.parse(kubectl(['get', '--raw', path]).stdout) as { spec: { replicas: number } };
        scale.spec.replicas = replicas;
        const file = join(dir, `scale-${replicas}.json`);
        writeFileSync(file, JSON.stringify(scale));
        const r = kubectl([
          'replace',
          '--raw',
          path,
          '-f',
          file,
          '--as=system:serviceaccount:kube-system:horizontal-pod-autoscaler',
        ]);
        expect(r.code, r.stderr).toBe(0);
      }
      expect(
        kubectl(['get', 'deployment', 'billing-api', '-n', 'payments', '-o', 'jsonpath={.spec.replicas}'])
          .stdout,
      ).toBe('3');
    });

    it('edits a label, adds and removes a finalizer, and writes status', () => {
      const on = ['deployment', 'billing-api', '-n', 'payments'];
      const label = kubectl(['label', ...on, 'team=payments']);
      expect(label.code, label.stderr).toBe(0);
      const add = kubectl([
        'patch',
        ...on,
        '--type=merge',
        '-p',
        '{"metadata":{"finalizers":["example.com/hold"]}}',
      ]);
      expect(add.code, add.stderr).toBe(0);
      const remove = kubectl([
        'patch',
        ...on,
        '--type=json',
        '-p',
        '[{"op":"remove","path":"/metadata/finalizers"}]',
      ]);
      expect(remove.code, remove.stderr).toBe(0);
      const status = kubectl([
        'patch',
        ...on,
        '--subresource=status',
        '--type=merge',
        '-p',
        '{"status":{"observedGeneration":1}}',
      ]);
      expect(status.code, status.stderr).toBe(0);
    });

    it('still refuses a spec change (failurePolicy Fail): what it judges waits for a replica', () => {
      const r = kubectl([
        'patch',
        'deployment',
        'billing-api',
        '-n',
        'payments',
        '--type=merge',
        '-p',
        '{"spec":{"minReadySeconds":5}}',
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/failed calling webhook "(mutate|validate)\.berth\.dev"/);
    });
  });

  describe("Berth's own account, bounded by ValidatingAdmissionPolicy berth-own-writes", () => {
    const ns = 'bounded';
    const pod = (name: string, spec: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns} }
spec:
${spec}
  containers: [{ name: app, image: registry.example.com/app:1.0.0 }]
`;
    beforeAll(async () => {
      // berth.dev/ignore: no webhook of Berth's sees this namespace (none answers now); the policy does.
      expect(kubectl(['create', 'namespace', ns]).code).toBe(0);
      expect(kubectl(['label', 'namespace', ns, 'berth.dev/ignore=true']).code).toBe(0);
      expect(kubectl(['apply', '-f', '-'], pod('running', '  nodeName: group-a')).code).toBe(0);
      expect(
        kubectl(['apply', '-f', '-'], pod('gated', '  schedulingGates: [{ name: berth.dev/capacity }]')).code,
      ).toBe(0);
      await eventually(
        'kwok running the pod',
        () =>
          kubectl(['get', 'pod', 'running', '-n', ns, '-o', 'jsonpath={.status.phase}']).stdout === 'Running',
      );
    }, 120_000);

    // With Berth's own client and credentials (its token): the JSON patch the leader sends.
    const asBerth = () => {
      const kc = new KubeConfig();
      kc.loadFromFile(join(dir, 'berth.kubeconfig'));
      return kc;
    };

    it("cannot change a running pod's image", async () => {
      const path = `/api/v1/namespaces/${ns}/pods/running`;
      const ops = [{ op: 'replace', path: '/spec/containers/0/image', value: 'registry.example.com/evil:1' }];
      const refused = await patchRaw(asBerth(), path, ops, 'application/json-patch+json').then(
        () => undefined,
        (e: unknown) => e as PatchRefused,
      );
      expect(refused?.code).toBe(403);
      expect(refused?.body).toContain(
        "ValidatingAdmissionPolicy 'berth-own-writes' with binding 'berth-own-writes' denied request: Berth's service account may change a pod only by lifting its scheduling gate berth.dev/capacity",
      );
      expect(
        kubectl(['get', 'pod', 'running', '-n', ns, '-o', 'jsonpath={.spec.containers[0].image}']).stdout,
      ).toBe('registry.example.com/app:1.0.0');
    });

    it("lifts a gated pod's gate, pinned to its planned node, as the leader does", async () => {
      const lifted = await liftGate(
        jsonPatchPods(asBerth()),
        { name: 'gated', namespace: ns, gates: [{ name: 'berth.dev/capacity' }], pinnable: true },
        'berth.dev/capacity',
        'group-b',
        true,
      );
      expect(lifted).toBe(true);
      expect(
        kubectl(['get', 'pod', 'gated', '-n', ns, '-o', 'jsonpath={.spec.schedulingGates}']).stdout,
      ).toBe('');
      expect(
        kubectl(['get', 'pod', 'gated', '-n', ns, '-o', 'jsonpath={.spec.affinity.nodeAffinity}']).stdout,
      ).toContain('group-b');
    });

    it("moves a single replica surge-first by its template's annotation, and changes nothing else of a Deployment", async () => {
      const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: solo, namespace: ${ns} }
spec:
  replicas: 0
  selector: { matchLabels: { app: solo } }
  template:
    metadata: { labels: { app: solo } }
    spec: { containers: [{ name: app, image: registry.example.com/app:1.0.0 }] }
`;
      const created = kubectl(['create', '-f', '-'], deployment);
      expect(created.code, created.stderr).toBe(0);
      // As the leader writes it: one merge patch, no read first (Berth's account may not get Deployments).
      const patch = (body: object) =>
        patchRaw(
          asBerth(),
          `/apis/apps/v1/namespaces/${ns}/deployments/solo`,
          body,
          'application/merge-patch+json',
        ).then(
          () => undefined,
          (e: unknown) => e as PatchRefused,
        );
      expect(
        await patch({
          spec: { template: { metadata: { annotations: { 'berth.dev/moved-off': 'group-b' } } } },
        }),
      ).toBeUndefined();
      const image = await patch({
        spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example.com/evil:1' }] } } },
      });
      expect(image?.code).toBe(403);
      expect(image?.body).toContain(
        "Berth's service account may change a Deployment only by moving its single replica surge-first",
      );
      expect((await patch({ spec: { replicas: 5 } }))?.code).toBe(403);
      const now = kubectl(['get', 'deployment', 'solo', '-n', ns, '-o', 'json']).stdout;
      const d = JSON.parse(now) as {
        spec: {
          replicas: number;
          template: {
            metadata: { annotations?: Record<string, string> };
            spec: { containers: { image: string }[] };
          };
        };
      };
      expect(d.spec.replicas).toBe(0);
      expect(d.spec.template.spec.containers[0]?.image).toBe('registry.example.com/app:1.0.0');
      expect(d.spec.template.metadata.annotations?.['berth.dev/moved-off']).toBe('group-b');
    });

    it('writes no PodDisruptionBudget it does not own', () => {
      const pdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: theirs, namespace: ${ns} }
spec: { maxUnavailable: 1, selector: { matchLabels: { app: x } } }
`;
      const theirs = kubectl(['create', '-f', '-', `--as=${SA}`], pdb);
      expect(theirs.stderr).toContain('may write only the PodDisruptionBudgets it generates');
      const own = kubectl(
        ['create', '-f', '-', `--as=${SA}`],
        pdb.replace('name: theirs,', 'name: ours, labels: { app.kubernetes.io/managed-by: berth },'),
      );
      expect(own.code, own.stderr).toBe(0);
    });
  });

  it('uninstalls without leaving a webhook configuration behind', async () => {
    const r = helm(['uninstall', 'berth', '-n', NS, '--wait']);
    expect(r.code, r.stderr).toBe(0);
    await eventually(
      'the garbage collector removing the webhook configurations',
      () =>
        !exists(['mutatingwebhookconfiguration', 'berth']) &&
        !exists(['validatingwebhookconfiguration', 'berth']),
      60_000,
    );
    expect(exists(['validatingadmissionpolicy', 'berth-own-writes'])).toBe(false);
    if (byPolicy())
      await eventually(
        'the garbage collector removing the gate policy and its binding',
        () =>
          !exists(['mutatingadmissionpolicy', 'berth-scheduling-gate']) &&
          !exists(['mutatingadmissionpolicybinding', 'berth-scheduling-gate']),
        60_000,
      );
    // The cluster takes any write again.
    expect(
      kubectl([
        'patch',
        'deployment',
        'billing-api',
        '-n',
        'payments',
        '--type=merge',
        '-p',
        '{"spec":{"minReadySeconds":5}}',
      ]).code,
    ).toBe(0);
  });
});
