/**
 * What a new user beside Karpenter meets on day one: answers that never look like success when
 * nothing was done (plan and cost say what they left out, and why, on stdout), and an honest bound.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { berth, tmp } from './support/cli.js';
import { designProfile } from './support/design-example.js';

// The DESIGN example: denied (80% of 3 rounds up to 3, no eviction allowed).
const PROFILE = designProfile('billing-api', '80%');
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: billing-api, namespace: payments, labels: { berth.dev/profile: billing-api, app.kubernetes.io/name: billing-api } }
spec:
  selector: { matchLabels: { app: b } }
  template:
    metadata: { labels: { app: b } }
    spec: { containers: [{ name: app, image: x }] }
`;

describe('nothing planned never reads as success', () => {
  const denied = () => tmp({ 'p.yaml': PROFILE, 'd.yaml': DEPLOYMENT });

  it('berth plan names every object it left out, on stdout, in the table and the JSON (exit 1)', async () => {
    const dir = denied();
    const table = await berth('plan', '-f', dir);
    expect(table.code).toBe(1);
    expect(table.out).not.toContain('No capacity needed');
    expect(table.out).toContain('No capacity planned: 2 object(s) of the input were left out (below).');
    expect(table.out).toContain('LEFT OUT (2)');
    expect(table.out).toMatch(
      /WorkloadProfile payments\/billing-api +denied by the webhook \(profile-undrainable\)/,
    );
    const json = JSON.parse((await berth('plan', '-f', dir, '-o', 'json')).out) as {
      leftOut: { object: string; reason: string }[];
    };
    expect(json.leftOut.map((l) => l.object).sort()).toEqual([
      'Deployment payments/billing-api',
      'WorkloadProfile payments/billing-api',
    ]);
  });

  it('berth cost says what it left out and exits 1 when a workload is denied', async () => {
    const dir = denied();
    const table = await berth('cost', '-f', dir);
    expect(table.code).toBe(1);
    expect(table.out).toContain('TOTAL');
    expect(table.out).toContain('LEFT OUT (2)');
    const json = await berth('cost', '-f', dir, '-o', 'json');
    expect(json.code).toBe(1);
    expect((JSON.parse(json.out) as { leftOut: unknown[] }).leftOut).toHaveLength(2);
  });

  it('an allowed input has nothing left out and exits 0', async () => {
    const dir = tmp({ 'p.yaml': PROFILE.replace('80%', '66%'), 'd.yaml': DEPLOYMENT });
    const plan = await berth('plan', '-f', join(dir), '-o', 'json');
    expect(plan.code).toBe(0);
    const doc = JSON.parse(plan.out) as {
      leftOut: unknown[];
      totals: { lowerBound: number; pricePerHour: number };
    };
    expect(doc.leftOut).toEqual([]);
    // The bound is in the document, and honest: an on-demand-only profile is bounded at on-demand prices.
    expect(doc.totals.lowerBound).toBeGreaterThan(0);
    expect(doc.totals.pricePerHour / doc.totals.lowerBound).toBeLessThan(3);
    expect((await berth('cost', '-f', dir)).code).toBe(0);
  });
});

describe('berth init on Karpenter’s own example pools', () => {
  // Karpenter's examples (test/karpenter-examples/v1), each the whole cluster's pools. Windows pools
  // take Windows pods only, which this Linux workload is not.
  const examples = readdirSync('test/karpenter-examples/v1').filter((f) => !f.startsWith('windows'));

  it.each(examples)(
    '%s: every class it writes admits a profiled workload placed on its pool',
    async (example) => {
      const pools = join('test/karpenter-examples/v1', example);
      const init = await berth('init', '--nodepools', pools);
      expect(init.code).toBe(0);
      expect(init.err).toContain('berth init: mode: karpenter');
      const classes = Object.keys(
        (parse(init.out) as { runtimeClasses: Record<string, unknown> }).runtimeClasses,
      );
      expect(classes.length).toBeGreaterThan(0);
      const files: Record<string, string> = { 'policies.yaml': init.out };
      for (const cls of classes)
        files[`${cls}.yaml`] = `apiVersion: berth.dev/v1alpha1
kind: WorkloadProfile
metadata: { name: ${cls}, namespace: apps }
spec:
  runtimeClass: ${cls}
  availability: { minReplicas: 3, zoneSpread: preferred }
  compute: { cpuRequest: "1", memoryRequest: 1Gi }
  disruption: { maxUnavailable: 1 }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${cls}, namespace: apps, labels: { berth.dev/profile: ${cls}, app.kubernetes.io/name: ${cls} } }
spec:
  selector: { matchLabels: { app: ${cls} } }
  template:
    metadata: { labels: { app: ${cls} } }
    spec: { containers: [{ name: inflate, image: public.ecr.aws/eks-distro/kubernetes/pause:3.7 }] }
`;
      const dir = tmp(files);
      const args = [
        '-f',
        dir,
        '--exclude',
        'policies.yaml',
        '--nodepools',
        pools,
        '--policies',
        join(dir, 'policies.yaml'),
        '-o',
        'json',
      ];
      const check = await berth('check', ...args);
      const doc = JSON.parse(check.out) as {
        results: {
          kind: string;
          name: string;
          allowed: boolean;
          violations: { rule: string; message: string }[];
        }[];
      };
      // The pools of --nodepools are reviewed too (their own rules); the classes' objects are judged here.
      const judged = doc.results.filter((r) => r.kind === 'WorkloadProfile' || r.kind === 'Deployment');
      expect(judged).toHaveLength(2 * classes.length);
      for (const r of judged)
        expect({
          object: `${r.kind} ${r.name}`,
          allowed: r.allowed,
          violations: r.violations.filter(
            (v) => v.rule.startsWith('placement') || v.rule.startsWith('profile-runtime'),
          ),
        }).toMatchObject({ allowed: true, violations: [] });
      // And the plan buys capacity on the class's own pool.
      const plan = JSON.parse((await berth('plan', ...args)).out) as {
        nodes: { nodePool: string; pods: string[] }[];
      };
      for (const cls of classes) {
        const on = plan.nodes.filter((n) => n.pods.some((p) => p.startsWith(`apps/${cls}-`)));
        expect(on.length, cls).toBeGreaterThan(0);
      }
    },
  );

  it('refuses input with no NodePool, and a mode it does not know', async () => {
    const dir = tmp({ 'empty.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n' });
    const none = await berth('init', '--nodepools', join(dir, 'empty.yaml'));
    expect(none.code).toBe(2);
    expect(none.err).toContain('no NodePool: nothing to map runtime classes to');
    const mode = await berth(
      'init',
      '--nodepools',
      'test/karpenter-examples/v1/spot.yaml',
      '--mode',
      'kyverno',
    );
    expect(mode.code).toBe(2);
    expect(mode.err).toContain('--mode must be berth, karpenter or off');
  });

  it('--write refuses to replace a file without --force', async () => {
    const dir = tmp({ 'policies.yaml': 'keep me' });
    const file = join(dir, 'policies.yaml');
    const r = await berth('init', '--nodepools', 'test/karpenter-examples/v1/spot.yaml', '--write', file);
    expect(r.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    expect(
      (await berth('init', '--nodepools', 'test/karpenter-examples/v1/spot.yaml', '--write', file, '--force'))
        .code,
    ).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('runtimeClasses:');
  });
});

describe('berth check says what it did not judge, and why', () => {
  it('in the table and in the JSON (exempt namespace, kind without rules)', async () => {
    const dir = tmp({
      'a.yaml': `apiVersion: v1
kind: ConfigMap
metadata: { name: x, namespace: shop }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: sys, namespace: kube-system }
spec:
  selector: { matchLabels: { app: s } }
  template:
    metadata: { labels: { app: s } }
    spec: { containers: [{ name: a, image: x }] }
`,
    });
    const table = await berth('check', '-f', dir);
    expect(table.out).toContain('ALLOWED Deployment kube-system/sys (namespace kube-system is exempt)');
    expect(table.out).toContain('1 object(s) of kinds Berth has no rules for: ConfigMap 1');
    const doc = JSON.parse((await berth('check', '-f', dir, '-o', 'json')).out) as {
      results: { kind: string; skipped?: string }[];
    };
    expect(doc.results.map((r) => [r.kind, r.skipped])).toEqual([
      ['ConfigMap', expect.stringContaining('no rules for kind ConfigMap')],
      ['Deployment', 'namespace kube-system is exempt'],
    ]);
  });
});
