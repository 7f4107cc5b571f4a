/**
 * Karpenter's API as its users write it today (v1.7–v1.14), through the CLI: Gte/Lte requirements,
 * `limits.nodes`, do-not-disrupt durations and pod-level resources, each as a user meets it in
 * `berth check` and `berth plan`, with bad input refused at file:line in the CRD's words.
 */
import { readFileSync } from 'node:fs';
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

  it("the NodePool, NodeClaim and NodeOverlay CRDs Berth ships take Karpenter v1.14.1's operators, so a Gte pool's claims are accepted", () => {
    // A claim keeps its pool's requirements as written (nodeclaim/object.ts): a CRD without Gte
    // would refuse every claim of a pool that uses it.
    const operators = ['DoesNotExist', 'Exists', 'Gt', 'Gte', 'In', 'Lt', 'Lte', 'NotIn'];
    for (const crd of ['nodepools', 'nodeclaims', 'nodeoverlays'])
      for (const dir of ['deploy/karpenter-crds', 'charts/berth/files/karpenter-crds']) {
        const text = readFileSync(join(dir, `${crd}.karpenter.sh.yaml`), 'utf8');
        const enums = [...text.matchAll(/operator: \{ type: string, enum: \[([^\]]*)\] \}/g)];
        expect(enums.length, `${dir}/${crd}`).toBeGreaterThan(0);
        for (const e of enums) expect((e[1] ?? '').split(', ').sort(), `${dir}/${crd}`).toEqual(operators);
      }
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

const overlay = (name: string, spec: string) => `---
apiVersion: karpenter.sh/v1alpha1
kind: NodeOverlay
metadata: { name: ${name} }
spec:
${spec}
`;

interface PricedDoc {
  nodes: { existing: boolean; instanceType: string; pricePerHour: number; capacityType: string }[];
  unschedulable: unknown[];
}

describe('NodeOverlay (Karpenter v1.7, karpenter.sh/v1alpha1)', () => {
  const ON_DEMAND = `        - { key: karpenter.sh/capacity-type, operator: In, values: [on-demand] }\n${CMR}`;
  const m60 = overlay(
    'savings-plan-m',
    `  requirements:
    - { key: karpenter.k8s.aws/instance-category, operator: In, values: [m] }
  priceAdjustment: "-60%"`,
  );

  it('a -60% overlay on m types moves the plan onto m types, at the overlay price', async () => {
    const before = JSON.parse(
      (
        await run(
          'plan',
          tmp({ 'pool.yaml': pool('', ON_DEMAND), 'app.yaml': deployment('web', 6, SMALL) }),
          '-o',
          'json',
        )
      ).out,
    ) as PricedDoc;
    expect(before.nodes.some((n) => !n.instanceType.startsWith('m'))).toBe(true);
    const dir = tmp({ 'pool.yaml': pool('', ON_DEMAND) + m60, 'app.yaml': deployment('web', 6, SMALL) });
    const doc = JSON.parse((await run('plan', dir, '-o', 'json')).out) as PricedDoc;
    expect(doc.unschedulable).toEqual([]);
    const catalog = builtinCatalog();
    for (const n of doc.nodes) {
      expect(n.instanceType).toMatch(/^m/);
      const listed = catalog.byName(n.instanceType)?.onDemandPrice ?? 0;
      expect(n.pricePerHour).toBeCloseTo(listed * 0.4, 4);
    }
    // berth cost attributes the plan at the same prices.
    const cost = await berth(
      'cost',
      '-f',
      join(dir, 'app.yaml'),
      '--nodepools',
      join(dir, 'pool.yaml'),
      '-o',
      'json',
    );
    const total = doc.nodes.reduce((s, n) => s + n.pricePerHour, 0);
    expect(cost.out).toContain(String(Math.round(total * 1e4) / 1e4).slice(0, 5));
  });

  it('a higher weight wins; two of the same weight on the same offerings conflict and neither applies', async () => {
    const cheaperC = (name: string, weight: number, adj: string) =>
      overlay(
        name,
        `  weight: ${weight}
  requirements:
    - { key: karpenter.k8s.aws/instance-category, operator: In, values: [c] }
  priceAdjustment: "${adj}"`,
      );
    const pricesOf = async (overlays: string) => {
      const dir = tmp({
        'pool.yaml': pool('', ON_DEMAND) + overlays,
        'app.yaml': deployment('web', 2, SMALL),
      });
      return JSON.parse((await run('plan', dir, '-o', 'json')).out) as PricedDoc;
    };
    const catalog = builtinCatalog();
    const ratio = (d: PricedDoc) =>
      d.nodes.map((n) => n.pricePerHour / (catalog.byName(n.instanceType)?.onDemandPrice ?? 1));
    const won = await pricesOf(cheaperC('a', 10, '-50%') + cheaperC('b', 20, '-10%'));
    for (const r of ratio(won)) expect(r).toBeCloseTo(0.9, 4);
    const tied = await pricesOf(cheaperC('a', 10, '-50%') + cheaperC('b', 10, '-10%'));
    // b sorts first among equal weights (names descending); a conflicts and is not applied.
    for (const r of ratio(tied)) expect(r).toBeCloseTo(0.9, 4);
  });

  it('an overlay the CRD refuses is bad input at file:line', async () => {
    const bad = overlay('both', '  price: "0.1"\n  priceAdjustment: "-10%"');
    const dir = tmp({ 'pool.yaml': pool('', CMR) + bad, 'app.yaml': deployment('web', 1, SMALL) });
    const r = await run('plan', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain("cannot set both 'price' and 'priceAdjustment'");
  });
});

describe('reserved capacity (karpenter.sh/capacity-type: reserved, Karpenter v1.3–v1.10)', () => {
  const reservedPool = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: reserved-first }
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: reserved }
      requirements:
        - { key: karpenter.sh/capacity-type, operator: In, values: [reserved, on-demand] }
${CMR}
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: { name: reserved }
spec:
  amiSelectorTerms: [{ alias: al2023@latest }]
  role: KarpenterNodeRole
  subnetSelectorTerms: [{ tags: { karpenter.sh/discovery: demo } }]
  securityGroupSelectorTerms: [{ tags: { karpenter.sh/discovery: demo } }]
  capacityReservationSelectorTerms: [{ id: cr-0123456789abcdef0 }]
status:
  capacityReservations:
    - id: cr-0123456789abcdef0
      instanceType: m5.xlarge
      availabilityZone: us-east-1a
      instanceMatchCriteria: targeted
      ownerID: "123456789012"
      reservationType: default
      state: active
      availableInstanceCount: 2
`;
  const big = `      containers:
        - name: app
          image: nginx
          resources: { requests: { cpu: "3", memory: 4Gi }, limits: { memory: 4Gi } }`;

  it('fills the reservation first, as many as it has room for, then buys on demand', async () => {
    const dir = tmp({ 'pool.yaml': reservedPool, 'app.yaml': deployment('web', 4, big) });
    const doc = JSON.parse((await run('plan', dir, '-o', 'json')).out) as PricedDoc;
    expect(doc.unschedulable).toEqual([]);
    const reserved = doc.nodes.filter((n) => n.capacityType === 'reserved');
    expect(reserved.map((n) => n.instanceType)).toEqual(['m5.xlarge', 'm5.xlarge']);
    for (const n of reserved) expect(n.pricePerHour).toBeLessThan(0.0001);
    expect(doc.nodes.filter((n) => n.capacityType === 'on-demand')).toHaveLength(2);
    const check = await run('check', dir);
    expect(check.out).not.toContain('placement-unsatisfiable');
  });
});
