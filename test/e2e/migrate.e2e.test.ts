/**
 * `berth migrate --to auto-mode` as a platform team runs it against its cluster: Karpenter's own
 * NodePool CRD (its CEL rules, v1.15.0, from its module) and the Auto Mode NodeClass CRD Berth ships,
 * Karpenter's getting-started pool and a team's workloads applied; the migration read from the
 * cluster; what it prints applied as it is, accepted by the API server; one workload's opt-in applied
 * with the printed command; and the API server refusing a NodeClass Auto Mode would refuse.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { kubectlWith } from './harness.js';

let cp: ControlPlane;
let kubectl: ReturnType<typeof kubectlWith>;
let dir: string;
let migrated: { code: number; out: string; err: string };

const workloads = readFileSync('test/migrate/workloads.yaml', 'utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-migrate-'));
  const bin = execFileSync('bash', ['test/e2e/build-control-plane.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const karpenterCrds = execFileSync('bash', ['test/e2e/install-karpenter-crds.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  cp = await startControlPlane(bin, join(dir, 'cluster'));
  kubectl = kubectlWith(cp.kubeconfig);
  for (const f of ['karpenter.sh_nodepools.yaml', 'karpenter.sh_nodeclaims.yaml'])
    expect(kubectl(['apply', '--server-side', '-f', join(karpenterCrds, f)]).code).toBe(0);
  // EC2NodeClass: Berth's (an open spec); NodeClass: Auto Mode's as Berth checks it.
  expect(kubectl(['apply', '-f', 'deploy/karpenter-crds/ec2nodeclasses.karpenter.k8s.aws.yaml']).code).toBe(
    0,
  );
  expect(kubectl(['apply', '-k', 'deploy/auto-mode-crds']).code).toBe(0);
  expect(kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']).code).toBe(0);
  for (const ns of ['shop', 'observability', 'finance', 'legacy']) kubectl(['create', 'namespace', ns]);
  const team = kubectl(
    ['apply', '-f', 'test/karpenter-examples/v1/general-purpose.yaml', '-f', '-'],
    workloads,
  );
  expect(team.code, team.stderr).toBe(0);
  const r = spawnSync(
    process.execPath,
    [
      'dist/src/cli/main.js',
      'migrate',
      '--to',
      'auto-mode',
      '--kubeconfig',
      cp.kubeconfig,
      '--cluster-name',
      'prod',
    ],
    { encoding: 'utf8' },
  );
  migrated = { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}, 600_000);

afterAll(async () => {
  await (cp as ControlPlane | undefined)?.stop();
});

describe('berth migrate --to auto-mode against a cluster', () => {
  it('reads the pools and workloads, and names what needs a decision (exit 1)', () => {
    expect(migrated.code, migrated.err).toBe(1);
    expect(migrated.err).toContain(
      'Deployment/shop/pricing: general-purpose → none: it would lose its nodes',
    );
    expect(migrated.err).toContain('Deployment/shop/api: general-purpose → general-purpose-auto');
    expect(migrated.err).toContain('aws eks create-access-entry --cluster-name prod');
  });

  it('prints objects the API server accepts under Karpenter v1.15.0 CRD rules', () => {
    const file = join(dir, 'migrate.yaml');
    writeFileSync(file, migrated.out);
    const applied = kubectl(['apply', '-f', file]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('nodeclass.eks.amazonaws.com/default-auto created');
    expect(applied.stdout).toContain('nodepool.karpenter.sh/general-purpose-auto created');
    const pool = JSON.parse(kubectl(['get', 'nodepool', 'general-purpose-auto', '-o', 'json']).stdout) as {
      spec: {
        template: { spec: { nodeClassRef: unknown; taints: unknown[]; requirements: { key: string }[] } };
      };
    };
    expect(pool.spec.template.spec.nodeClassRef).toEqual({
      group: 'eks.amazonaws.com',
      kind: 'NodeClass',
      name: 'default-auto',
    });
    expect(pool.spec.template.spec.taints).toContainEqual({ key: 'eks-auto-mode', effect: 'NoSchedule' });
    expect(pool.spec.template.spec.requirements.map((r) => r.key)).toContain(
      'eks.amazonaws.com/instance-category',
    );
  });

  it("applies a workload's opt-in with the printed command", () => {
    const command = migrated.err
      .split('\n')
      .find((l) => l.trim().startsWith('kubectl -n shop patch deployment api'));
    expect(command).toBeDefined();
    const r = spawnSync('bash', ['-c', command?.trim() ?? 'false'], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: cp.kubeconfig },
    });
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(kubectl(['get', 'deployment', '-n', 'shop', 'api', '-o', 'json']).stdout) as {
      spec: { template: { spec: { nodeSelector: Record<string, string>; tolerations: unknown[] } } };
    };
    expect(d.spec.template.spec.nodeSelector).toEqual({
      'eks.amazonaws.com/instance-family': 'm5',
      'eks.amazonaws.com/compute-type': 'auto',
    });
    expect(d.spec.template.spec.tolerations).toEqual([
      { key: 'eks-auto-mode', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('is refused, as Auto Mode refuses it, a NodeClass past its limits', () => {
    const bad = `apiVersion: eks.amazonaws.com/v1
kind: NodeClass
metadata: { name: too-fast }
spec:
  role: r
  ephemeralStorage: { size: 80Gi, iops: 20000 }
`;
    const r = kubectl(['apply', '-f', '-'], bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/iops.*16000/);
  });
});

/**
 * Karpenter v1.15.0's NodePool CRD as the oracle for what `berth check` refuses offline: the same
 * pools through `kubectl create --dry-run=server` and through Berth, the same field and the same words.
 */
describe("NodePool disruption fields: Karpenter v1.15.0's CRD and berth check agree", () => {
  const pool = (name: string, disruption: string) => `apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: ${name} }
spec:
  disruption: ${disruption}
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
      requirements:
        - { key: karpenter.k8s.aws/instance-category, operator: In, values: [c, m, r] }
`;
  it.each([
    ['repair-budget', '{ budgets: [{ nodes: "1", reasons: [Unhealthy] }] }', undefined],
    ['no-consolidate-after', '{ consolidationPolicy: WhenEmptyOrUnderutilized }', undefined],
    [
      'bad-reason',
      '{ budgets: [{ nodes: "20%", reasons: [Drifted, Broken] }] }',
      'spec.disruption.budgets[0].reasons[1]',
    ],
    ['bad-nodes', '{ budgets: [{ nodes: "110%" }] }', 'spec.disruption.budgets[0].nodes'],
    ['bad-after', '{ consolidateAfter: 5 minutes }', 'spec.disruption.consolidateAfter'],
    ['lone-schedule', '{ budgets: [{ nodes: "1", schedule: "0 9 * * *" }] }', 'spec.disruption.budgets'],
  ])('%s', (name, disruption, field) => {
    const text = pool(name, disruption);
    const server = kubectl(['create', '--dry-run=server', '-f', '-'], text);
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, text);
    const app = join(dir, 'none.yaml');
    writeFileSync(app, '');
    const r = spawnSync(
      process.execPath,
      ['dist/src/cli/main.js', 'check', '-f', app, '--allow-empty', '--nodepools', file],
      { encoding: 'utf8' },
    );
    if (field === undefined) {
      expect(server.code, server.stderr).toBe(0);
      expect(r.status, r.stderr).not.toBe(2);
      return;
    }
    expect(server.code).not.toBe(0);
    expect(r.status, r.stderr).toBe(2);
    const said = /: (spec\.[^:]+): (.*)$/m.exec(r.stderr);
    expect(said?.[1], r.stderr).toBe(field);
    // Schema errors word for word; a CEL rule's message after the API server's `Invalid value: "array": `.
    expect(server.stderr).toContain(`${field}: `);
    expect(server.stderr).toContain(said?.[2] ?? '?');
  });
});
