import { describe, expect, it } from 'vitest';
import type { AdmissionContext } from '../admission/admit.js';
import type { KubeObject } from '../kube/objects.js';
import { defaultPolicies } from '../policies/policies.js';
import { StaticClusterView } from '../policies/view.js';
import { builtinCatalog } from '../catalog/catalog.js';
import { deployment } from '../../test/support/workloads.js';
import { changesOf, judgedItself, namespaceReports } from './scan.js';

const owned = (kind: string, ownerKind: string, controller = true): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: {
    name: 'x',
    namespace: 'shop',
    ownerReferences: [{ apiVersion: 'v1', kind: ownerKind, name: 'o', uid: 'u', controller }],
  },
});

const ctx = (objects: KubeObject[]): AdmissionContext => ({
  view: new StaticClusterView(builtinCatalog(), objects),
  policies: defaultPolicies(),
  today: '2026-11-22',
});

describe('which objects the scan reports on', () => {
  it.each([
    ['a ReplicaSet a Deployment controls', owned('ReplicaSet', 'Deployment'), false],
    ['a Job a CronJob controls', owned('Job', 'CronJob'), false],
    ['a Pod a ReplicaSet controls', owned('Pod', 'ReplicaSet'), false],
    ['a Pod a DaemonSet controls', owned('Pod', 'DaemonSet'), false],
    ['a mirror Pod (controlled by its Node)', owned('Pod', 'Node'), true],
    ["a Pod an operator's custom resource controls", owned('Pod', 'Rollout'), true],
    ['a Pod with an owner that is not its controller', owned('Pod', 'ReplicaSet', false), true],
    ['a bare Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, true],
  ])('%s: %s', (_what, obj, expected) => {
    expect(judgedItself(obj)).toBe(expected);
  });
});

describe('a namespace’s reports', () => {
  const at = { seconds: 2_000_000_000 };
  it('gives every rule evaluated a result with the mode it ran in, and leaves out owned objects', () => {
    const objs = [deployment('web'), owned('ReplicaSet', 'Deployment')];
    const [report, ...more] = namespaceReports('shop', objs, ctx(objs), { at });
    expect(more).toEqual([]);
    expect(report?.kind).toBe('PolicyReport');
    expect(report?.metadata).toMatchObject({ name: 'berth', namespace: 'shop' });
    const labels = report?.results.find((r) => r.rule === 'required-labels');
    expect(labels).toMatchObject({ result: 'fail', severity: 'low', properties: { mode: 'audit' } });
    expect(labels?.resources).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', uid: 'uid-web' },
    ]);
    const passing = report?.results.filter((r) => r.result === 'pass') ?? [];
    expect(passing.length).toBeGreaterThan(3);
    expect(passing.every((r) => r.properties?.mode !== undefined)).toBe(true);
    expect(report?.results.every((r) => r.resources[0]?.kind === 'Deployment')).toBe(true);
    expect(report?.summary.fail).toBe(report?.results.filter((r) => r.result === 'fail').length);
  });

  it('reports an object the engine cannot evaluate as an error result, and goes on with the rest', () => {
    const objs = [deployment('web'), deployment('api')];
    const broken = ctx(objs);
    const view = broken.view;
    let calls = 0;
    broken.view = Object.assign(Object.create(view) as typeof view, {
      namespaceLabels: (ns: string) => {
        calls += 1;
        if (calls === 1) throw new Error('namespace cache corrupt');
        return view.namespaceLabels(ns);
      },
    });
    const results = namespaceReports('shop', objs, broken, { at })[0]?.results ?? [];
    expect(results.find((r) => r.rule === 'evaluation')).toMatchObject({
      result: 'error',
      message: 'not evaluated: namespace cache corrupt',
    });
    expect(results.find((r) => r.rule === 'evaluation')?.resources[0]?.name).toBe('web');
    expect(results.some((r) => r.resources[0]?.name === 'api' && r.rule === 'required-labels')).toBe(true);
  });

  it('keeps the timestamp of a finding that did not change, and stamps one that did', () => {
    const objs = [deployment('web'), deployment('api', { team: 'x' })];
    const first = namespaceReports('shop', objs, ctx(objs), { at: { seconds: 100 } });
    const again = namespaceReports('shop', objs, ctx(objs), { at: { seconds: 200 }, previous: first });
    expect(again).toEqual(first);
    const fixed = [deployment('web', { 'app.kubernetes.io/name': 'web', team: 'a' }), objs[1] as KubeObject];
    const later = namespaceReports('shop', fixed, ctx(fixed), { at: { seconds: 300 }, previous: first });
    const web = later[0]?.results.find((r) => r.rule === 'required-labels' && r.resources[0]?.name === 'web');
    expect(web).toMatchObject({ result: 'pass', timestamp: { seconds: 300 } });
    const api = later[0]?.results.find((r) => r.rule === 'required-labels' && r.resources[0]?.name === 'api');
    expect(api?.timestamp.seconds).toBe(100);
  });

  it('has no report for a namespace without judged objects', () => {
    expect(namespaceReports('shop', [owned('Pod', 'ReplicaSet')], ctx([]), { at })).toEqual([]);
  });
});

describe('the writes a pass needs', () => {
  const objs = [deployment('web')];
  const reports = namespaceReports('shop', objs, ctx(objs), { at: { seconds: 1 } });
  it('are none when nothing a reader sees changed', () => {
    expect(changesOf(reports, structuredClone(reports))).toEqual({ apply: [], remove: [] });
  });
  it('rewrite a changed document and delete one no longer produced', () => {
    const fixed = [deployment('web', { 'app.kubernetes.io/name': 'web', team: 'a' })];
    const next = namespaceReports('shop', fixed, ctx(fixed), { at: { seconds: 2 }, previous: reports });
    expect(changesOf(next, reports).apply.map((r) => r.metadata.name)).toEqual(['berth']);
    const split = namespaceReports('shop', objs, ctx(objs), { at: { seconds: 1 }, maxBytes: 2_000 });
    expect(split.length).toBeGreaterThan(1);
    const shrunk = changesOf(reports, split);
    expect(shrunk.remove.map((r) => r.metadata.name)).toEqual(split.slice(1).map((r) => r.metadata.name));
  });
});
