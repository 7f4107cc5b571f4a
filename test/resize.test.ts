/**
 * In-place pod resize (GA in Kubernetes 1.35), as a user meets it offline: test/resize/<case>/ holds a
 * node with a pod whose resize is in progress, Deferred or Infeasible (cluster.yaml, as kubectl get
 * -o yaml writes it), a new 600m pod (pods.yaml), and what kube-scheduler does with it
 * (expected.yaml: `existing` binds it to the node, `bought` needs a new one) and what `berth why pod`
 * says of the resized pod. The e2e scenario on Kubernetes 1.37 checks the same against kube-scheduler.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { berth } from './support/cli.js';

const ROOT = 'test/resize';
const CASES = readdirSync(ROOT);

describe.each(CASES)('resize case %s', (c) => {
  const dir = join(ROOT, c);
  const expected = parse(readFileSync(join(dir, 'expected.yaml'), 'utf8')) as {
    newcomer: string;
    why: string;
  };

  it('berth plan --nodes places the new pod where kube-scheduler would', async () => {
    const r = await berth(
      'plan',
      '-f',
      join(dir, 'pods.yaml'),
      '--nodes',
      join(dir, 'cluster.yaml'),
      '-o',
      'json',
    );
    expect(r.code, r.err).toBe(0);
    const plan = JSON.parse(r.out) as { nodes: { existing: boolean; pods: string[] }[] };
    const node = plan.nodes.find((n) => n.pods.includes('shop/newcomer'));
    expect(node?.existing ? 'existing' : 'bought').toBe(expected.newcomer);
  });

  it('berth why pod names the resize and what kube-scheduler counts', async () => {
    const r = await berth('why', 'pod', 'shop/resized', '-f', join(dir, 'cluster.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toContain(expected.why);
  });
});
