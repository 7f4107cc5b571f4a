/**
 * Karpenter's API as its users write it today (v1.7–v1.14), through the CLI: Gte/Lte requirements,
 * `limits.nodes`, do-not-disrupt durations and pod-level resources, each as a user meets it in
 * `berth check` and `berth plan`, with bad input refused at file:line in the CRD's words.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, tmp } from './support/cli.js';
import { builtinCatalog } from '../src/catalog/catalog.js';

const pool = (extra: string, requirements: string) => `apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: general }
spec:
${extra}
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
      requirements:
${requirements}
`;

const CMR = '        - { key: karpenter.k8s.aws/instance-category, operator: In, values: [c, m, r] }';
const GTE4 = `        - { key: karpenter.k8s.aws/instance-cpu, operator: Gte, values: ["4"] }\n${CMR}`;

const deployment = (name: string, replicas: number, podSpec: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: apps, labels: { app.kubernetes.io/name: ${name} } }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
${podSpec}
`;

const SMALL = `      containers:
        - name: app
          image: nginx
          resources: { requests: { cpu: 500m, memory: 512Mi }, limits: { memory: 512Mi } }`;

interface PlanDoc {
  nodes: { existing: boolean; instanceType: string; pods: string[] }[];
  unschedulable: { pod: string; reason: string }[];
}

/** app.yaml and pool.yaml of `dir` through a command (check, plan), with more flags. */
const run = (cmd: string, dir: string, ...more: string[]) =>
  berth(cmd, '-f', join(dir, 'app.yaml'), '--nodepools', join(dir, 'pool.yaml'), ...more);

describe('Karpenter v1.9 Gte / Lte', () => {
  it('a Gte pool admits workloads and plans only types within the bound', async () => {
    const dir = tmp({ 'pool.yaml': pool('', GTE4), 'app.yaml': deployment('web', 4, SMALL) });
    const check = await run('check', dir);
    expect(check.out).not.toContain('placement-unsatisfiable');
    const plan = await run('plan', dir, '-o', 'json');
    expect(plan.code).toBe(0);
    const doc = JSON.parse(plan.out) as PlanDoc;
    expect(doc.unschedulable).toEqual([]);
    for (const n of doc.nodes) expect(n.instanceType).toMatch(/\.(xlarge|\d+xlarge|metal.*)$/);
  });

  it.each([
    [
      'Gte',
      '["four"]',
      "requirements operator 'Gt', 'Lt', 'Gte', or 'Lte' must have a single positive integer value",
    ],
    ['Lte', '["1", "2"]', 'must have a single positive integer value'],
    [
      'AtLeast',
      '["4"]',
      'Unsupported value: "AtLeast": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Gte", "Lte"',
    ],
  ])('a pool with %s %s is bad input at file:line, in the CRD words', async (op, values, words) => {
    const reqs = `        - { key: karpenter.k8s.aws/instance-cpu, operator: ${op}, values: ${values} }`;
    const dir = tmp({ 'pool.yaml': pool('', reqs), 'app.yaml': deployment('web', 2, SMALL) });
    for (const cmd of ['check', 'plan']) {
      const r = await berth(cmd, '-f', join(dir, 'app.yaml'), '--nodepools', join(dir, 'pool.yaml'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/pool\.yaml:10:\d+: spec\.template\.spec\.requirements\[0\]/);
      expect(r.err).toContain(words);
    }
  });
});

describe('Karpenter v1.11 limits.nodes', () => {
  it('plan buys no more nodes than the limit and names it for the rest (exit 1)', async () => {
    const onePerNode = `      containers:
        - name: app
          image: nginx
          resources: { requests: { cpu: "3", memory: 1Gi }, limits: { memory: 1Gi } }`;
    const reqs = `        - { key: karpenter.k8s.aws/instance-cpu, operator: Lte, values: ["4"] }\n${CMR}`;
    const dir = tmp({
      'pool.yaml': pool('  limits: { nodes: 3 }', reqs),
      'app.yaml': deployment('web', 10, onePerNode),
    });
    const args = ['plan', '-f', join(dir, 'app.yaml'), '--nodepools', join(dir, 'pool.yaml')];
    const json = await berth(...args, '-o', 'json');
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.out) as PlanDoc;
    expect(doc.nodes.filter((n) => !n.existing)).toHaveLength(3);
    expect(doc.unschedulable).toHaveLength(7);
    expect(doc.unschedulable[0]?.reason).toContain('NodePool general is at its limits: nodes 3');
    const table = await berth(...args);
    expect(table.out).toContain('UNSCHEDULABLE (7)');
  });
});

describe('pod-level resources (Kubernetes 1.34, Karpenter v1.8)', () => {
  it('plans pods by their pod-level requests, not their containers', async () => {
    const podLevel = `      resources: { requests: { cpu: "6", memory: 8Gi } }
      containers:
        - name: app
          image: nginx`;
    const dir = tmp({ 'pool.yaml': pool('', CMR), 'app.yaml': deployment('big', 3, podLevel) });
    const doc = JSON.parse((await run('plan', dir, '-o', 'json')).out) as PlanDoc;
    expect(doc.unschedulable).toEqual([]);
    const check = await run('check', dir);
    expect(check.out).not.toContain('requests-missing');
    // 3 pods of 6 CPU: at least 18 vCPU bought (read by their containers, one 1-vCPU node held them).
    const catalog = builtinCatalog();
    const cpu = doc.nodes.reduce((n, x) => n + (catalog.byName(x.instanceType)?.capacity.cpuMillis ?? 0), 0);
    expect(cpu).toBeGreaterThanOrEqual(18_000);
  });
});
