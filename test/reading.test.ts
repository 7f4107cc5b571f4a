/**
 * Input read as kubectl reads it, and the CLI edges a newcomer meets: folder runs over a repository
 * (IAM policies, dashboards), empty input, JSON streams, duplicate keys, empty lists, controller-owned
 * Pods, bad input as JSON, cluster-scoped objects, warnings whose fix survives shortening.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, tmp } from './support/cli.js';
import type { CheckReport } from '../src/cli/output.js';
import { loadKubeConfig } from '../src/kube/client.js';

const ns = (name: string) => `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"${name}"}}`;
const deployment = (name: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: apps, labels: { app.kubernetes.io/name: ${name} } }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: c, image: x, resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 128Mi } } }]
`;

describe('folder runs over a repository', () => {
  it('skip files that are no manifest at all, one notice each; a file named on its own is still an error', async () => {
    const dir = tmp({
      'app.yaml': deployment('web'),
      'iam-policy.json':
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}',
      'dashboard.json': '{"title":"Berth","panels":[{"type":"graph"}]}',
    });
    const r = await berth('check', '-f', dir);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/iam-policy\.json:1:1: notice: not a Kubernetes manifest .*; skipped/);
    expect(r.err).toMatch(/dashboard\.json:1:1: notice: not a Kubernetes manifest/);
    expect(r.out).toMatch(/^1 object: 1 allowed/);
    expect((await berth('check', '-f', join(dir, 'iam-policy.json'))).code).toBe(2);
  });

  it('leave out what --exclude matches, by name or path', async () => {
    const dir = tmp({ 'app.yaml': deployment('web'), 'broken.yaml': 'kind: [' });
    expect((await berth('check', '-f', dir)).code).toBe(2);
    expect((await berth('check', '-f', dir, '--exclude', 'broken.*')).code).toBe(0);
    expect((await berth('check', '-f', dir, '--exclude', '**/broken.yaml')).code).toBe(0);
  });

  it('call zero objects bad input unless --allow-empty: an empty kustomize build must not pass CI', async () => {
    const empty = tmp({});
    const r = await berth('check', '-f', empty);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no Kubernetes objects in the input; pass --allow-empty');
    expect((await berth('check', '-f', empty, '--allow-empty')).code).toBe(0);
    expect((await berth('plan', '-f', empty)).code).toBe(2);
  });
});

describe('read as kubectl reads', () => {
  it('a stream of JSON objects, one after another', async () => {
    const dir = tmp({ 'stream.json': `${ns('a')}\n${ns('b')}${ns('c')}\n` });
    const r = await berth('check', '-f', dir, '-o', 'json');
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as CheckReport).results.map((x) => x.name)).toEqual(['a', 'b', 'c']);
  });

  it('a duplicate key keeps its last value, with a notice rather than a refusal', async () => {
    const dir = tmp({ 'dup.yaml': deployment('web').replace('replicas: 2', 'replicas: 1\n  replicas: 3') });
    const r = await berth('check', '-f', dir, '-o', 'json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/dup\.yaml:6:3: notice: duplicate key replicas: the last value is used/);
    expect(JSON.stringify(JSON.parse(r.out))).not.toContain('single-replica');
  });

  it('a List whose items is null is an empty list', async () => {
    const dir = tmp({ 'list.yaml': `apiVersion: v1\nkind: List\nitems: null\n---\n${deployment('web')}` });
    const r = await berth('check', '-f', dir, '-o', 'json');
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as CheckReport).results.map((x) => x.name)).toEqual(['web']);
  });
});

describe('one answer for controller-owned Pods', () => {
  const owned = (owner: string) => `apiVersion: v1
kind: Pod
metadata:
  name: web-abc12
  namespace: apps
  ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: ${owner}, uid: u1, controller: true }]
spec:
  containers: [{ name: c, image: x }]
`;
  it('judges them through their owner when it is among the inputs, and says so when it is not', async () => {
    const rs = deployment('web-6d4f').replace('kind: Deployment', 'kind: ReplicaSet');
    const withOwner = await berth(
      'check',
      '-f',
      tmp({ 'rs.yaml': rs, 'pod.yaml': owned('web-6d4f') }),
      '-o',
      'json',
    );
    const pod = (JSON.parse(withOwner.out) as CheckReport).results.find((x) => x.kind === 'Pod');
    expect(pod?.violations).toEqual([]);
    expect(pod?.warnings).toEqual([]);
    const alone = await berth('check', '-f', tmp({ 'pod.yaml': owned('gone') }));
    expect(alone.code).toBe(0);
    expect(alone.out).toContain('owned by ReplicaSet apps/gone, not among the inputs');
    expect(alone.out).not.toContain('naked-pod');
  });
});

describe('output a newcomer reads', () => {
  it('prints bad input as JSON on stdout with -o json', async () => {
    const dir = tmp({ 'bad.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n' });
    const r = await berth('check', '-f', dir, '-o', 'json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out) as { errors: { file: string; line: number; message: string }[] };
    expect(doc.errors[0]?.file).toMatch(/bad\.yaml$/);
    expect(doc.errors[0]?.line).toBeGreaterThan(0);
  });

  it('gives cluster-scoped objects no namespace, and warn-mode findings only as warnings', async () => {
    const dir = tmp({ 'a.yaml': `${deployment('web', 1)}---\n${ns('team')}\n` });
    const r = await berth('check', '-f', dir, '-o', 'json');
    const doc = JSON.parse(r.out) as CheckReport;
    const namespace = doc.results.find((x) => x.kind === 'Namespace');
    expect(namespace).toBeDefined();
    expect(namespace && 'namespace' in namespace).toBe(false);
    const web = doc.results.find((x) => x.name === 'web');
    expect(web?.violations.filter((v) => v.mode === 'warn')).toEqual([]);
    expect(web?.warnings.join('\n')).toContain('[single-replica] Deployment apps/web: spec.replicas is 1');
    expect(web?.warnings.join('\n')).not.toMatch(/\b1 replicas\b/);
  });

  it('says that no cluster is configured, rather than an HTTP error', () => {
    expect(() => loadKubeConfig(undefined, { HOME: mkdtempSync(join(tmpdir(), 'home-')) })).toThrow(
      /^no cluster is configured: no --kubeconfig, no \$KUBECONFIG, no ~\/\.kube\/config, and not running in a Pod$/,
    );
  });
});

describe("Karpenter's objects and plans, read as Karpenter reads them", () => {
  it('refuses a nodeClassRef group with a version in it, as Karpenter’s CRD does', async () => {
    const pool = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata: { name: bad }
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws/v1, kind: EC2NodeClass, name: default }
      requirements: []
`;
    const dir = tmp({ 'pool.yaml': pool });
    const r = await berth('plan', '-f', dir, '--nodepools', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pool\.yaml:7:\d+: spec\.template\.spec\.nodeClassRef\.group: must match pattern/);
  });

  it('exits 1 from plan when a workload is denied: it is not placed', async () => {
    const denied = deployment('web', 2)
      .replace('replicas: 2', 'replicas: 2\n  paused: false')
      .replace('containers:', 'nodeSelector: { kubernetes.io/os: windows }\n      containers:');
    const r = await berth('plan', '-f', tmp({ 'd.yaml': denied }));
    expect(r.err).toContain('denied by the webhook');
    expect(r.code).toBe(1);
  });
});
