/**
 * What a new user beside Karpenter meets on day one: answers that never look like success when
 * nothing was done (plan and cost say what they left out, and why, on stdout), and an honest bound.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, tmp } from './support/cli.js';

// The DESIGN example: denied (80% of 3 rounds up to 3, no eviction allowed).
const PROFILE = `apiVersion: berth.dev/v1alpha1
kind: WorkloadProfile
metadata: { name: billing-api, namespace: payments }
spec:
  runtimeClass: general
  availability: { minReplicas: 3, zoneSpread: required }
  compute: { cpuRequest: 500m, memoryRequest: 768Mi }
  disruption: { minAvailable: 80% }
  cost: { spotAllowed: false }
`;
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
