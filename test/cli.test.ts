/** The CLI as a user runs it: exit codes, output formats, bad input. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, tmp } from './support/cli.js';
import type { CheckReport } from '../src/cli/output.js';
import type { PolicyReport } from '../src/reports/policy-report.js';
import { parseAllDocuments } from 'yaml';

const PROFILE = `apiVersion: berth.dev/v1alpha1
kind: WorkloadProfile
metadata: { name: billing-api, namespace: payments }
spec:
  runtimeClass: general
  availability: { minReplicas: 3, zoneSpread: required }
  scaling: { maxReplicas: 50, maxBurstPods: 20 }
  compute: { cpuRequest: 500m, memoryRequest: 768Mi }
  disruption: { minAvailable: 80% }
  cost: { spotAllowed: false }
`;

const DEPLOYMENT =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: billing-api, namespace: payments, labels: { berth.dev/profile: billing-api, app.kubernetes.io/name: billing-api } }\nspec:\n  selector: { matchLabels: { app: b } }\n  template:\n    metadata: { labels: { app: b } }\n    spec: { containers: [{ name: app, image: x }] }\n';

describe('berth check', () => {
  it('denies the DESIGN example with exit 1 and the JSON contract', async () => {
    const dir = tmp({ 'p.yaml': PROFILE });
    const r = await berth('check', '-f', dir, '-o', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as CheckReport;
    expect(doc.results).toHaveLength(1);
    expect(doc.results[0]).toMatchObject({
      kind: 'WorkloadProfile',
      namespace: 'payments',
      name: 'billing-api',
      allowed: false,
      warnings: [],
    });
    expect(doc.results[0]?.violations[0]).toMatchObject({ rule: 'profile-undrainable', mode: 'enforce' });
    expect(doc.results[0]?.violations[0]?.message).toContain('(80% of 3 rounds up to 3)');
  });

  it('exits 0 when everything is allowed, and evaluates files together', async () => {
    const dir = tmp({
      'a.yaml': PROFILE.replace('80%', '66%'),
      'b.yaml': DEPLOYMENT,
    });
    const r = await berth('check', '-f', dir);
    expect(r.err).toBe('');
    expect(r.out).toContain('ALLOWED Deployment payments/billing-api');
    expect(r.code).toBe(0);
  });

  it('says when it judged against the embedded sample NodePools, and how to pass the cluster’s', async () => {
    const init = await berth('init', '--nodepools', 'test/karpenter-examples/v1/general-purpose.yaml');
    const dir = tmp({
      'policies.yaml': init.out,
      'web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web, berth.dev/runtime-class: general-purpose } }
    spec: { containers: [{ name: app, image: nginx:1.27, resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 128Mi } } }] }
`,
    });
    const args = ['check', '-f', join(dir, 'web.yaml'), '--policies', join(dir, 'policies.yaml')];
    const embedded = await berth(...args);
    expect(embedded.err).toContain(
      "berth: notice: no --nodepools given: placements are judged against Berth's embedded sample NodePools",
    );
    expect(embedded.out).toContain(
      "and Berth's embedded sample NodePools (no --nodepools given) have none of them (berth-batch,",
    );
    expect(embedded.out).toContain('--nodepools nodepools.yaml');
    expect(embedded.out).not.toContain('the cluster has none of them');
    // With the cluster's pools: no notice, the class places, and the pools themselves are reviewed.
    const theirs = await berth(
      ...args,
      '--nodepools',
      'test/karpenter-examples/v1/general-purpose.yaml',
      '-o',
      'json',
    );
    expect(theirs.err).toBe('');
    const results = (
      JSON.parse(theirs.out) as { results: { kind: string; name: string; violations: { rule: string }[] }[] }
    ).results;
    expect(results.map((r) => `${r.kind}/${r.name}`)).toEqual([
      'Deployment/web',
      'NodePool/general-purpose',
      'EC2NodeClass/default',
    ]);
    expect(results[0]?.violations.map((v) => v.rule)).not.toContain('placement-unsatisfiable');
    expect(results[1]?.violations.map((v) => v.rule)).toContain('nodepool-zones-implicit');
  });

  it('exits 2 naming file and line for unparseable YAML', async () => {
    const dir = tmp({ 'bad.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n' });
    const r = await berth('check', '-f', join(dir, 'bad.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:\d+:\d+: /);
  });

  it('exits 2 for a missing file and for an object without kind', async () => {
    expect((await berth('check', '-f', '/nonexistent.yaml')).code).toBe(2);
    const dir = tmp({ 'x.yaml': 'metadata: { name: x }\n' });
    const r = await berth('check', '-f', dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain('x.yaml:1:1: object lacks apiVersion and lacks kind');
  });

  it('reads bad input as data: one error per cause, each at file:line:col with the field', async () => {
    const dir = tmp({
      'a.yaml': 'kind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n',
      'b.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: "3"\n  template: null\n',
      'c.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   namespace: bad\nspec: {}\n',
      'kustomization.yml': 'resources: [a.yaml]\n',
      'kustomization.yaml': 'resources: [a.yaml]\n',
    });
    const r = await berth('check', '-f', dir);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/a\.yaml:1:1: object lacks apiVersion$/),
      expect.stringMatching(/a\.yaml:4:1: object lacks kind$/),
      expect.stringMatching(/b\.yaml:5:13: spec\.replicas: must be integer \(as a Deployment holds it\)$/),
      expect.stringMatching(/c\.yaml:\d+:\d+: .* \(and \d+ more errors after it\)$/),
    ]);
  });

  it('reads a null field as the field left out, as the API server does, and never crashes on one', async () => {
    const dir = tmp({
      'n.yaml':
        'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x, namespace: a}\nspec: {minAvailable: 1, selector: null}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: a}\nspec:\n  replicas: 2\n  template:\n    metadata: null\n    spec:\n      containers: [{name: c, image: x, resources: null, env: null}]\n',
    });
    const r = await berth('check', '-f', dir, '-o', 'json');
    expect(r.err).toBe('');
    const results = (JSON.parse(r.out) as CheckReport).results;
    expect(results).toHaveLength(2);
    // The Deployment has no spec.selector: the API server refuses it, and check says so (exit 1).
    expect(r.code).toBe(1);
    expect(results[1]?.violations.map((v) => v.rule)).toEqual(['object-invalid']);
  });

  it('says once that a file is not text, or is a Helm template, and leaves templates inside strings alone', async () => {
    const dir = tmp({
      'bin.yaml': `apiVersion: v1\n${'\u0000'.repeat(10)}`,
      'chart.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "x.fullname" . }}\nspec:\n  replicas: {{ .Values.replicas }}\n',
      'value.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  replicas: {{ .Values.n }}\n',
    });
    const r = await berth('check', '-f', dir);
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/bin\.yaml:1:1: not a text file/);
    expect(lines[1]).toMatch(/chart\.yaml:4:9: a Helm or Go template/);
    expect(lines[2]).toMatch(/value\.yaml:5:13: a Helm or Go template/);
    const prom = tmp({
      'rules.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: rules}\ndata:\n  rules.yaml: |\n    summary: Instance {{ $labels.instance }} down\n    description: |\n      {{ $labels.job }} is down\n',
    });
    expect((await berth('check', '-f', prom)).code).toBe(0);
  });

  it("policies validate holds every rule's params to its schema, warns of expired exemptions, and checks NodePools", async () => {
    const text = readFileSync('policies.yaml', 'utf8')
      .replace('params: { maxSeconds: 300 }', 'params: { maxSecs: 300 }')
      .replace('params: { maxRatio: 2 }', 'params: { maxRatio: "five minutes" }')
      .replace('params: { minZones: 2 }', 'params: { minZones: -5 }');
    const bad = join(tmp({ 'p.yaml': text }), 'p.yaml');
    const r = await berth('policies', 'validate', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/p\.yaml:\d+:\d+: rules\.grace-period\.params\.maxSecs: unknown field/);
    expect(r.err).toMatch(/p\.yaml:\d+:\d+: rules\.limit-request-ratio\.params\.maxRatio: must be number/);
    expect(r.err).toMatch(
      /p\.yaml:\d+:\d+: rules\.profile-zone-spread-impossible\.params\.minZones: must be >= 1/,
    );
    const expired = readFileSync('policies.yaml', 'utf8').replace(
      /^ {2}objects: \[\]$/m,
      '  objects:\n    - { rule: naked-pod, kind: Pod, namespace: a, name: p, reason: debugging, expires: "2025-01-31" }',
    );
    const file = join(tmp({ 'p.yaml': expired }), 'p.yaml');
    const ok = await berth('policies', 'validate', file);
    expect(ok.code).toBe(0);
    expect(ok.err).toMatch(/p\.yaml:\d+:\d+: warning: exemptions\.objects\[0\] .* expired on 2025-01-31/);
    const pools = await berth('policies', 'validate', file, '--nodepools', 'deploy/nodepools/general.yaml');
    expect(pools.code).toBe(2);
    expect(pools.err).toMatch(
      /runtimeClasses\.gpu\.nodePools\[0\]: NodePool berth-gpu is not in deploy\/nodepools\/general\.yaml/,
    );
    expect(
      (await berth('policies', 'validate', 'policies.yaml', '--nodepools', 'deploy/nodepools')).code,
    ).toBe(0);
  });

  it('writes PolicyReports offline with -o policyreport: a result per object and rule, the exit code of check', async () => {
    const r = await berth('check', '-f', 'examples/10-general-payments.yaml', '-o', 'policyreport');
    expect(r.code).toBe(1);
    const docs = parseAllDocuments(r.out).map((d) => d.toJS() as PolicyReport);
    expect(docs.map((d) => [d.kind, d.metadata.namespace, d.metadata.name])).toEqual([
      ['PolicyReport', 'payments', 'berth'],
    ]);
    const report = docs[0];
    expect(report?.summary.fail).toBeGreaterThan(0);
    expect(report?.summary.pass).toBeGreaterThan(0);
    const undrainable = report?.results.find((x) => x.rule === 'profile-undrainable' && x.result === 'fail');
    expect(undrainable?.resources[0]).toMatchObject({ kind: 'WorkloadProfile', name: 'billing-api' });
    expect(r.out).not.toContain('&a');
  });

  it('answers "what would enforce break" from the reports check writes (berth report -f)', async () => {
    const written = await berth('check', '-f', 'examples/', '-o', 'policyreport');
    const dir = tmp({ 'reports.yaml': written.out });
    const table = await berth('report', '-f', join(dir, 'reports.yaml'));
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^\d+ objects? judged; (1 rule fails|\d+ rules fail) on some of them/);
    expect(table.out).toMatch(/^RULE +MODE +FAILING +ERRORS +NAMESPACES$/m);
    expect(table.out).toMatch(/^pdb-blocks-eviction +enforce +2 +0 +payments$/m);
    expect(table.out).toMatch(/^pass everywhere: .*grace-period/m);
    const json = await berth('report', '-f', join(dir, 'reports.yaml'), '-o', 'json', '-n', 'payments');
    const doc = JSON.parse(json.out) as { rules: { rule: string; failing: number; namespaces: string[] }[] };
    expect(doc.rules.find((x) => x.rule === 'pdb-blocks-eviction')).toMatchObject({
      failing: 2,
      namespaces: ['payments'],
    });
    expect(doc.rules.every((x) => x.namespaces.every((n) => n === 'payments'))).toBe(true);
    const notReports = await berth('report', '-f', 'examples/10-general-payments.yaml');
    expect(notReports.code).toBe(2);
    expect(notReports.err).toMatch(
      /10-general-payments\.yaml:\d+:1: no wgpolicyk8s\.io\/v1alpha2 PolicyReport/,
    );
    expect((await berth('report', '-f', join(dir, 'reports.yaml'), '-o', 'yaml')).code).toBe(2);
  });

  it('plans a consolidation offline: decisions in order, what keeps each node, $/h before and after', async () => {
    const file = 'clusters/underused.yaml';
    const table = await berth('plan', '-f', file, '--nodes', file, '--consolidate');
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^CONSOLIDATION: 6 Berth node\(s\) at \$1\.4180\/h$/m);
    expect(table.out).toMatch(/^1\. emptiness: ip-10-0-3-16 → delete; \$1\.4180\/h → \$1\.3220\/h$/m);
    expect(table.out).toMatch(
      /^ip-10-0-2-15 +pod shop\/batch-report-x1 has karpenter\.sh\/do-not-disrupt: "true"$/m,
    );
    const json = await berth('plan', '-f', file, '--nodes', file, '--consolidate', '-o', 'json');
    const doc = JSON.parse(json.out) as {
      consolidation: {
        decisions: {
          method: string;
          remove: string[];
          launch: { instanceType: string; pods: string[] }[];
          pricePerHourBefore: number;
          pricePerHourAfter: number;
        }[];
        kept: { node: string; reason: string }[];
        after: { nodes: { name: string; pods: string[] }[]; pricePerHour: number };
      };
    };
    const c = doc.consolidation;
    expect(c.decisions[0]).toMatchObject({ method: 'emptiness', remove: ['ip-10-0-3-16'], launch: [] });
    for (const d of c.decisions) expect(d.pricePerHourAfter).toBeLessThan(d.pricePerHourBefore);
    expect(c.after.pricePerHour).toBe(c.decisions.at(-1)?.pricePerHourAfter);
    expect(c.after.nodes.flatMap((n) => n.pods).sort()).toEqual([
      'shop/batch-report-x1',
      'shop/checkout-7d9f-a',
      'shop/checkout-7d9f-b',
      'shop/checkout-7d9f-c',
      'shop/search-5c4b-a',
      'shop/search-5c4b-b',
    ]);
    expect(c.kept.map((k) => k.node)).toContain('ip-10-0-2-15');
    const without = await berth('plan', '-f', file, '--consolidate');
    expect(without.code).toBe(2);
    expect(without.err).toContain('--consolidate needs --nodes');
  });

  it('marks modelled spot prices in the plan document', async () => {
    const r = await berth('plan', '-f', 'examples/', '-o', 'json');
    const plan = JSON.parse(r.out) as { nodes: { capacityType: string; priceModelled: boolean }[] };
    expect(plan.nodes.some((n) => n.capacityType === 'spot')).toBe(true);
    for (const n of plan.nodes) expect(n.priceModelled).toBe(n.capacityType === 'spot');
  });

  it('emits the NodeClaims the plan would create: one per new node, its requests the pods planned on it', async () => {
    const plan = JSON.parse((await berth('plan', '-f', 'examples/', '-o', 'json')).out) as {
      nodes: { existing: boolean; name: string; instanceType: string; zone: string; pods: string[] }[];
    };
    const yaml = await berth('plan', '-f', 'examples/', '--emit', 'nodeclaims');
    const claims = parseAllDocuments(yaml.out).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { name: string; labels: Record<string, string>; finalizers: string[] };
          spec: {
            requirements: { key: string; values: string[] }[];
            resources: { requests: { pods: string } };
          };
        },
    );
    const planned = plan.nodes.filter((n) => !n.existing);
    expect(claims.map((c) => c.metadata.name)).toEqual(planned.map((n) => n.name));
    for (const [i, c] of claims.entries()) {
      const n = planned[i];
      expect(c.kind).toBe('NodeClaim');
      expect(c.metadata.finalizers).toEqual(['karpenter.sh/termination']);
      expect(c.metadata.labels['node.kubernetes.io/instance-type']).toBe(n?.instanceType);
      expect(c.spec.requirements.find((r) => r.key === 'topology.kubernetes.io/zone')?.values).toEqual([
        n?.zone,
      ]);
      expect(c.spec.requirements.find((r) => r.key === 'node.kubernetes.io/instance-type')?.values[0]).toBe(
        n?.instanceType,
      );
      expect(Number(c.spec.resources.requests.pods)).toBe(n?.pods.length);
    }
    const list = JSON.parse(
      (await berth('plan', '-f', 'examples/', '--emit', 'nodeclaims', '-o', 'json')).out,
    ) as {
      kind: string;
      items: unknown[];
    };
    expect(list.kind).toBe('List');
    expect(list.items).toHaveLength(claims.length);
    const bad = await berth('plan', '-f', 'examples/', '--emit', 'nodes');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--emit takes nodeclaims');
  });

  it('reads -f - from standard input', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'check', '-f', '-', '--only', 'denied'],
      {
        input: readFileSync('examples/10-general-payments.yaml', 'utf8'),
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^5 objects: 2 allowed, 3 denied/);
    expect(r.stdout).toContain('(<stdin>:2)');
  });

  it('leads the table with the totals and the denials, folds kinds without rules, and filters with --only', async () => {
    const r = await berth('check', '-f', 'examples/');
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^\d+ objects: \d+ allowed, \d+ denied, \d+ with warnings$/);
    expect(lines[2]).toMatch(/^DENIED \(\d+\)$/);
    expect(r.out).toMatch(/\n\d+ object\(s\) of kinds Berth has no rules for: Namespace \d+/);
    expect(r.out).not.toContain('no rules for kind Namespace');
    const denied = await berth('check', '-f', 'examples/', '--only', 'denied');
    expect(denied.out).not.toContain('ALLOWED');
    const json = JSON.parse(
      (await berth('check', '-f', 'examples/', '--only', 'denied', '-o', 'json')).out,
    ) as {
      results: { allowed: boolean }[];
    };
    expect(json.results.length).toBeGreaterThan(0);
    expect(json.results.every((x) => !x.allowed)).toBe(true);
  });

  it('exits 2 for a bad policies file', async () => {
    const dir = tmp({ 'p.yaml': PROFILE, 'pol.yaml': 'runtimeClasses: 3\n' });
    const r = await berth('check', '-f', join(dir, 'p.yaml'), '--policies', join(dir, 'pol.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('pol.yaml:1:17: runtimeClasses: must be object');
  });

  it('prints YAML with -o yaml', async () => {
    const r = await berth('check', '-f', tmp({ 'p.yaml': PROFILE }), '-o', 'yaml');
    expect(r.out).toContain('rule: profile-undrainable');
  });
});

describe('berth compile', () => {
  it('prints compiled objects and generated PDBs', async () => {
    const dir = tmp({
      'a.yaml': PROFILE.replace('80%', '66%'),
      'b.yaml': DEPLOYMENT,
    });
    const r = await berth('compile', '-f', dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('replicas: 3');
    expect(r.out).toContain('kind: PodDisruptionBudget');
    expect(r.out).toContain('name: billing-api-berth');
    expect(r.out).toContain('minAvailable: 66%');
  });

  it('leaves out what the webhook would deny, names it, and exits 1: a denied profile compiles nothing', async () => {
    const dir = tmp({ 'a.yaml': PROFILE, 'b.yaml': DEPLOYMENT });
    const r = await berth('compile', '-f', dir);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('kind: WorkloadProfile');
    expect(r.out).not.toContain('billing-api-berth');
    expect(r.err).toContain('berth: left out, denied: WorkloadProfile payments/billing-api');
    expect(r.err).toContain('berth: left out, denied: Deployment payments/billing-api');
    const check = await berth('check', '-f', dir);
    expect(check.out).toContain(
      '[profile-missing] Deployment payments/billing-api: WorkloadProfile billing-api (label berth.dev/profile) was denied, so nothing compiles against it',
    );
    // Its replicas are its own field now, not the denied profile's.
    expect(check.out).not.toContain('availability.minReplicas is 1');
  });
});

describe('berth policies validate', () => {
  it('accepts the default and refuses a bad file with exit 2 and line numbers', async () => {
    const ok = await berth('policies', 'validate', 'policies.yaml');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('valid (7 runtime classes');
    const dir = tmp({
      'bad.yaml':
        'runtimeClasses:\n  general: { nodePools: [general] }\nrules:\n  naked-pod: { mode: sometimes }\n',
    });
    const bad = await berth('policies', 'validate', join(dir, 'bad.yaml'));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('bad.yaml:4:');
    expect(bad.err).toContain('must be one of: enforce, warn, audit, off');
  });
});

describe('berth demo and help', () => {
  it('runs the examples and shows kubectl-style output', async () => {
    const r = await berth('demo');
    expect(r.code).toBe(0);
    expect(r.out).toContain('admission webhook "validate.berth.dev" denied the request:');
    expect(r.out).toContain('[profile-undrainable] WorkloadProfile payments/billing-api');
    expect(r.out).toContain('Warning: [');
    expect(r.out).toContain('deployment.apps/checkout created');
  });

  it('--help lists the commands; an unknown command exits 2', async () => {
    const help = await berth('--help');
    expect(help.code).toBe(0);
    for (const c of ['check', 'compile', 'policies', 'demo']) expect(help.out).toContain(c);
    expect((await berth('nope')).code).toBe(2);
  });
});
