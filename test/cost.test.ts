/** `berth cost` as a user runs it, offline from berth plan's input. */
import { describe, expect, it } from 'vitest';
import { berth, tmp } from './support/cli.js';

interface CostDoc {
  by: string;
  groups: { key: string; usdPerHour: number }[];
  rows: { namespace: string; runtimeClass: string; workload: string; nodePool: string; usdPerHour: number }[];
  idle: { nodePool: string; usdPerHour: number }[];
  totalPerHour: number;
  instancesPerHour: number;
  nodeCostsPerHour: number;
}

describe('berth cost -f (offline)', () => {
  it("splits the examples' plan by namespace; the rows sum to the plan's $/h", async () => {
    const plan = JSON.parse((await berth('plan', '-f', 'examples/', '-o', 'json')).out) as {
      totals: { pricePerHour: number; nodeCostsPerHour: number };
    };
    const r = await berth('cost', '-f', 'examples/', '-o', 'json');
    // The examples hold workloads the rules deny on purpose: left out, named, and exit 1.
    expect(r.code, r.err).toBe(1);
    const doc = JSON.parse(r.out) as CostDoc & { leftOut: { object: string; reason: string }[] };
    expect(doc.leftOut).toContainEqual({
      object: 'Deployment payments/ledger',
      reason: 'denied by the webhook (pdb-blocks-eviction): not planned; berth check says why',
    });
    // Instances and what the nodes cost beside them (their EBS volumes), apart and together.
    expect(doc.instancesPerHour).toBeCloseTo(plan.totals.pricePerHour, 3);
    expect(doc.nodeCostsPerHour).toBeCloseTo(plan.totals.nodeCostsPerHour, 3);
    expect(plan.totals.nodeCostsPerHour).toBeGreaterThan(0);
    expect(doc.totalPerHour).toBeCloseTo(plan.totals.pricePerHour + plan.totals.nodeCostsPerHour, 3);
    const sum = doc.groups.reduce((s, g) => s + g.usdPerHour, 0);
    expect(sum).toBeCloseTo(doc.totalPerHour, 4);
    expect(doc.groups.map((g) => g.key)).toEqual(expect.arrayContaining(['payments', 'analytics', '(idle)']));
  });

  it('prints a table by runtime class, workload or NodePool, with a total', async () => {
    const byClass = await berth('cost', '-f', 'examples/', '--by', 'class');
    expect(byClass.code).toBe(1);
    const [table = '', leftOut = ''] = byClass.out.split('\n\nLEFT OUT');
    const lines = table.trim().split('\n');
    expect(lines[0]?.split(/\s+/)).toEqual(['CLASS', '$/HOUR', 'SHARE']);
    expect(lines.at(-2)).toMatch(/^TOTAL\s+\d+\.\d{4}\s+100\.0%$/);
    expect(lines.at(-1)).toMatch(/^of which instances \d+\.\d{4}\/h, node costs \d+\.\d{4}\/h /);
    expect(leftOut).toMatch(/^ \(11\)\nOBJECT\s+REASON\n/);
    expect(byClass.out).toMatch(/^general\s/m);
    const byWorkload = await berth('cost', '-f', 'examples/', '--by', 'workload', '-o', 'json');
    const keys = (JSON.parse(byWorkload.out) as CostDoc).groups.map((g) => g.key);
    expect(keys.some((k) => k.startsWith('payments/Deployment/'))).toBe(true);
    const byPool = JSON.parse(
      (await berth('cost', '-f', 'examples/', '--by', 'nodepool', '-o', 'json')).out,
    ) as CostDoc;
    expect(byPool.groups.some((g) => g.key.startsWith('berth-general'))).toBe(true);
  });

  it('gives one namespace its share only (-n), idle left out', async () => {
    const all = JSON.parse((await berth('cost', '-f', 'examples/', '-o', 'json')).out) as CostDoc;
    const one = JSON.parse(
      (await berth('cost', '-f', 'examples/', '-n', 'payments', '-o', 'json')).out,
    ) as CostDoc;
    expect(one.groups).toEqual([
      { key: 'payments', usdPerHour: all.groups.find((g) => g.key === 'payments')?.usdPerHour },
    ]);
    expect(one.idle).toEqual([]);
  });

  it('shows what a change costs before it is applied: more replicas, a larger share of a larger plan', async () => {
    const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: app, image: x, resources: { requests: { cpu: '1', memory: 2Gi }, limits: { memory: 2Gi } } }]
`;
    const cost = async (n: number) => {
      const doc = JSON.parse(
        (await berth('cost', '-f', tmp({ 'd.yaml': deployment(n) }), '--by', 'workload', '-o', 'json')).out,
      ) as CostDoc;
      return {
        web: doc.groups.find((g) => g.key === 'shop/Deployment/web')?.usdPerHour ?? 0,
        total: doc.totalPerHour,
      };
    };
    const [three, six] = [await cost(3), await cost(6)];
    expect(three.web).toBeGreaterThan(0);
    expect(six.web).toBeGreaterThan(three.web * 1.4);
    expect(six.total).toBeGreaterThan(three.total);
    expect(six.web).toBeLessThanOrEqual(six.total);
  });

  it('refuses a grouping it does not know, and --nodes without -f (exit 2)', async () => {
    const bad = await berth('cost', '-f', 'examples/', '--by', 'team');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--by must be one of namespace, class, workload, nodepool');
    const nodes = await berth('cost', '--nodes', 'examples/');
    expect(nodes.code).toBe(2);
    expect(nodes.err).toContain('--nodes needs -f');
  });

  it('says which cluster it could not read, and how to ask offline instead (exit 2)', async () => {
    const kubeconfig = `${tmp({
      'kubeconfig.yaml': `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:1' } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
users: [{ name: u, user: { token: x } }]
current-context: c
`,
    })}/kubeconfig.yaml`;
    const r = await berth('cost', '--kubeconfig', kubeconfig);
    expect(r.code).toBe(2);
    expect(r.err).toContain("cannot read the cluster's Nodes and Pods (https://127.0.0.1:1)");
    expect(r.err).toContain('give the pods and workloads with -f');
  });

  it('charges the workload, never the PDB, HPA or Service that shares its name', async () => {
    const dir = tmp({
      'storefront.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: storefront, namespace: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: storefront } }
  template:
    metadata: { labels: { app: storefront, berth.dev/runtime-class: general } }
    spec:
      containers:
        - { name: app, image: registry.example.com/storefront:1.0.0, resources: { requests: { cpu: 500m, memory: 512Mi }, limits: { memory: 512Mi } } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: storefront, namespace: shop }
spec: { maxUnavailable: 1, selector: { matchLabels: { app: storefront } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: storefront, namespace: shop }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: storefront }
  minReplicas: 3
  maxReplicas: 6
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } } }]
---
apiVersion: v1
kind: Service
metadata: { name: storefront, namespace: shop }
spec: { selector: { app: storefront }, ports: [{ port: 80 }] }
`,
    });
    const r = await berth('cost', '-f', dir, '--by', 'workload', '-o', 'json');
    const doc = JSON.parse(r.out) as CostDoc;
    const charged = doc.rows.map((row) => `${row.namespace}/${row.workload}`);
    expect([...new Set(charged)]).toEqual(['shop/Deployment/storefront']);
    expect(doc.rows.every((row) => row.runtimeClass === 'general')).toBe(true);
  });
});
