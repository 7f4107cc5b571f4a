/**
 * `berth plan --scheduler-config` as a user runs it: the cluster's default topology spread (Karpenter
 * v1.15's --scheduler-config document) spreads a Deployment that declares none, as kube-scheduler
 * would bind it, and a document kube-scheduler would refuse is bad input naming the file.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, tmp } from './support/cli.js';

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  replicas: 6
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: app
          image: nginx
          resources: { requests: { cpu: 500m, memory: 512Mi }, limits: { memory: 512Mi } }
`;
const ZONE = '{ maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule }';

interface PlanDoc {
  nodes: { zone: string; pods: string[] }[];
}

const zonesOf = (out: string) => {
  const counts = new Map<string, number>();
  for (const n of (JSON.parse(out) as PlanDoc).nodes)
    counts.set(n.zone, (counts.get(n.zone) ?? 0) + n.pods.length);
  return [...counts.values()].sort();
};

describe('berth plan --scheduler-config', () => {
  it('spreads a Deployment with no constraints of its own over the zones, maxSkew 1', async () => {
    const dir = tmp({
      'app.yaml': APP,
      'sched.yaml': `podTopologySpread:\n  defaultConstraints:\n    - ${ZONE}\n`,
    });
    const without = await berth('plan', '-f', join(dir, 'app.yaml'), '-o', 'json');
    expect(without.code).toBe(0);
    expect(zonesOf(without.out)).toEqual([6]);
    const spread = await berth(
      'plan',
      '-f',
      join(dir, 'app.yaml'),
      '--scheduler-config',
      join(dir, 'sched.yaml'),
      '-o',
      'json',
    );
    expect(spread.code).toBe(0);
    expect(zonesOf(spread.out)).toEqual([2, 2, 2]);
  });

  it("refuses a default with a labelSelector, in Karpenter's words, exit 2", async () => {
    const dir = tmp({
      'app.yaml': APP,
      'sched.yaml': `podTopologySpread:\n  defaultConstraints:\n    - { maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {} }\n`,
    });
    const r = await berth('plan', '-f', join(dir, 'app.yaml'), '--scheduler-config', join(dir, 'sched.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `${join(dir, 'sched.yaml')}: validating scheduler config, podTopologySpread.defaultConstraints[0].labelSelector must not be set, as selectors are deduced for each pod`,
    );
  });
});
