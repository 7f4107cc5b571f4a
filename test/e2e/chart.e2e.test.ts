/**
 * Berth installed with its Helm chart (charts/berth) on a fresh control plane, as a platform team runs
 * `helm install`: the chart's objects are accepted by a real API server, the webhooks it registers
 * answer (a compiled Deployment, a denial with its rule id through kubectl) from the policies.yaml its
 * ConfigMap carries, and `helm uninstall` takes Berth away again. There is no kubelet here: the certs
 * hook Job cannot run (`--no-hooks`), so the test issues the certificate as the hook would and runs
 * `berth serve` on the host, the webhooks pointed at it, as the kustomize scenarios do.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startControlPlane, type ControlPlane } from './control-plane.js';
import { designProfile } from '../support/design-example.js';
import {
  eventually,
  installedPolicies,
  kubectlWith,
  loopbackCerts,
  routeWebhooks,
  startBerth,
  type Berth,
} from './harness.js';

let cp: ControlPlane | undefined;
let berth: Berth | undefined;
let kubectl: ReturnType<typeof kubectlWith>;
let helm: (args: string[]) => { code: number; stdout: string; stderr: string };
let installed: { code: number; stdout: string; stderr: string };
let dir: string;

const PROFILE = (minAvailable: string) => designProfile('billing-api', minAvailable);
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: billing-api, namespace: payments, labels: { berth.dev/profile: billing-api } }
spec:
  replicas: 3
  selector: { matchLabels: { app: billing-api } }
  template:
    metadata: { labels: { app: billing-api } }
    spec: { containers: [{ name: app, image: registry.example.com/billing-api:1.0.0 }] }
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-e2e-chart-'));
  const bin = execFileSync('bash', ['test/e2e/build-control-plane.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const helmBin = execFileSync('bash', ['test/e2e/install-helm.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  cp = await startControlPlane(bin, join(dir, 'cluster'));
  const kubeconfig = cp.kubeconfig;
  kubectl = kubectlWith(kubeconfig);
  helm = (args) => {
    const r = spawnSync(helmBin, ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  // provisioner.mode off: no cloud here; the rest of the chart's defaults as shipped.
  installed = helm([
    'install',
    'berth',
    'charts/berth',
    '-n',
    'berth-system',
    '--create-namespace',
    '--no-hooks',
    '--set',
    'mode=off',
  ]);
  expect(installed.code, installed.stderr).toBe(0);
  const policies = join(dir, 'policies.yaml');
  const fromChart = installedPolicies(kubectl);
  expect(fromChart.code, fromChart.stderr).toBe(0);
  writeFileSync(policies, fromChart.stdout);
  const tls = loopbackCerts(dir);
  berth = await startBerth({
    identity: 'berth-chart',
    kubeconfig,
    tlsDir: tls,
    policies,
    port: await freePort(),
    metricsPort: await freePort(),
    dir,
    args: ['--cloud', 'simulated'],
  });
  for (const r of routeWebhooks(
    kubectl,
    berth,
    Buffer.from(readFileSync(join(tls, 'ca.crt'))).toString('base64'),
  ))
    expect(r.code, r.stderr).toBe(0);
  expect(kubectl(['create', 'namespace', 'payments']).code).toBe(0);
}, 1_800_000);

afterAll(async () => {
  await berth?.stop();
  await cp?.stop();
});

describe('9c. installed with helm', () => {
  it("installs the chart's objects, with provisioner.mode from the values", () => {
    expect(installed.stdout).toContain('STATUS: deployed');
    const list = helm(['list', '-n', 'berth-system', '-o', 'json']);
    expect((JSON.parse(list.stdout) as { name: string; status: string }[])[0]).toMatchObject({
      name: 'berth',
      status: 'deployed',
    });
    for (const kind of [
      'crd/workloadprofiles.berth.dev',
      'crd/nodepools.karpenter.sh',
      'crd/policyreports.wgpolicyk8s.io',
      'mutatingwebhookconfiguration/berth',
      'validatingwebhookconfiguration/berth',
    ])
      expect(kubectl(['get', kind]).code, kind).toBe(0);
    for (const obj of [
      'deployment/berth',
      'service/berth',
      'pdb/berth',
      'cronjob/berth-certs-renew',
      'serviceaccount/berth',
    ])
      expect(kubectl(['get', obj, '-n', 'berth-system']).code, obj).toBe(0);
    const mode = installedPolicies(kubectl).stdout;
    expect(mode).toMatch(/^ {2}mode: off {16}# berth \| karpenter \| off$/m);
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

  it('compiles a Deployment bound to the profile (requests, zone spread)', async () => {
    const d = await eventually('the compiled Deployment', () => {
      const r = kubectl(['apply', '-f', '-', '--dry-run=server', '-o', 'json'], DEPLOYMENT);
      if (r.code !== 0) return undefined;
      const obj = JSON.parse(r.stdout) as {
        spec: {
          template: {
            spec: {
              containers: { resources?: { requests?: Record<string, string> } }[];
              topologySpreadConstraints?: unknown[];
            };
          };
        };
      };
      return obj.spec.template.spec.containers[0]?.resources?.requests?.cpu === '500m' ? obj : undefined;
    });
    expect(d.spec.template.spec.topologySpreadConstraints?.length).toBeGreaterThan(0);
  });

  it('helm uninstall removes the webhooks, the Deployment and its RBAC, and keeps the CRDs', () => {
    const r = helm(['uninstall', 'berth', '-n', 'berth-system']);
    expect(r.code, r.stderr).toBe(0);
    expect(kubectl(['get', 'validatingwebhookconfiguration/berth']).code).not.toBe(0);
    expect(kubectl(['get', 'deployment/berth', '-n', 'berth-system']).code).not.toBe(0);
    expect(kubectl(['get', 'clusterrole/berth']).code).not.toBe(0);
    expect(kubectl(['get', 'crd/workloadprofiles.berth.dev']).code).toBe(0);
    expect(kubectl(['get', 'crd/nodepools.karpenter.sh']).code).toBe(0);
  });
});
