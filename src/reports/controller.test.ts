import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { Metrics } from '../observability/metrics.js';
import { defaultPolicies, Policies } from '../policies/policies.js';
import { StaticClusterView } from '../policies/view.js';
import { builtinCatalog } from '../catalog/catalog.js';
import { ReportController } from './controller.js';
import { MemoryReportStore, MemorySource } from './memory.js';
import { deployment } from '../../test/support/workloads.js';

const catalog = builtinCatalog();
const base = defaultPolicies();
const withMode = (mode: 'warn' | 'enforce' | 'audit') =>
  new Policies({ ...base.doc, rules: { ...base.doc.rules, 'required-labels': { mode } } });

function inNs(o: KubeObject, namespace: string): KubeObject {
  const copy = structuredClone(o);
  copy.metadata = Object.assign(copy.metadata ?? {}, {
    namespace,
    uid: `${namespace}-${o.metadata?.name ?? ''}`,
  });
  return copy;
}
const labelled = { 'app.kubernetes.io/name': 'web', team: 'shop' };

function setUp(objects: KubeObject[]) {
  const deployments = new MemorySource('Deployment', objects);
  const pdbs = new MemorySource('PodDisruptionBudget');
  const store = new MemoryReportStore();
  const metrics = new Metrics();
  const state = { policies: base };
  const reloads: (() => void)[] = [];
  const controller = new ReportController({
    sources: [deployments, pdbs],
    everything: [
      (l) => {
        reloads.push(l);
        return () => undefined;
      },
    ],
    context: () => ({
      view: new StaticClusterView(catalog, [...deployments.list(), ...pdbs.list()]),
      policies: state.policies,
      today: '2026-11-22',
    }),
    store,
    logger: pino({ level: 'silent' }),
    metrics,
    clock: () => new Date('2026-11-22T12:00:00Z'),
    // Passes are driven by the test, not by timers.
    debounceMs: 3_600_000,
    retryMs: 3_600_000,
  });
  const reload = (p: Policies) => {
    state.policies = p;
    for (const l of reloads) l();
  };
  return { controller, deployments, pdbs, store, metrics, reload };
}

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
});

function started(objects: KubeObject[]) {
  const s = setUp(objects);
  s.controller.start();
  stop = () => {
    s.controller.stop();
  };
  return s;
}

const resultOf = (store: MemoryReportStore, ns: string, name: string, rule: string) =>
  store.docs
    .get(`PolicyReport/${ns}/berth`)
    ?.results.find((r) => r.rule === rule && r.resources[0]?.name === name)?.result;

describe('the background scan', () => {
  it('writes one report per namespace, then nothing while nothing changes', async () => {
    const s = started([
      inNs(deployment('web'), 'a'),
      inNs(deployment('api'), 'a'),
      inNs(deployment('web'), 'b'),
    ]);
    expect(await s.controller.pass()).toMatchObject({ namespaces: 2, objects: 3, writes: 2 });
    expect([...s.store.docs.keys()].sort()).toEqual(['PolicyReport/a/berth', 'PolicyReport/b/berth']);
    expect(resultOf(s.store, 'a', 'web', 'required-labels')).toBe('fail');
    s.reload(base); // a reload that changes no verdict: every namespace judged, nothing written
    expect(await s.controller.pass()).toMatchObject({ namespaces: 2, writes: 0 });
    expect(s.store.writes).toBe(2);
  });

  it('re-judges only the namespace of a changed object, with one write', async () => {
    const s = started([inNs(deployment('web'), 'a'), inNs(deployment('web'), 'b')]);
    await s.controller.pass();
    s.deployments.put(inNs(deployment('web', labelled), 'b'));
    expect(await s.controller.pass()).toMatchObject({ namespaces: 1, writes: 1 });
    expect(resultOf(s.store, 'b', 'web', 'required-labels')).toBe('pass');
    expect(resultOf(s.store, 'a', 'web', 'required-labels')).toBe('fail');
  });

  it('follows a mode change in policies.yaml without the object changing: audit fail → warn', async () => {
    const s = started([inNs(deployment('web'), 'a')]);
    await s.controller.pass();
    s.reload(withMode('warn'));
    expect(await s.controller.pass()).toMatchObject({ writes: 1 });
    expect(resultOf(s.store, 'a', 'web', 'required-labels')).toBe('warn');
    const doc = s.store.docs.get('PolicyReport/a/berth');
    expect(doc?.results.find((r) => r.rule === 'required-labels')?.properties).toEqual({ mode: 'warn' });
  });

  it('re-judges a namespace when a PDB beside its workloads changes', async () => {
    const s = started([inNs(deployment('web'), 'a')]);
    await s.controller.pass();
    expect(resultOf(s.store, 'a', 'web', 'pdb-blocks-eviction')).toBe('pass');
    s.pdbs.put({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'a' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
    });
    expect(await s.controller.pass()).toMatchObject({ namespaces: 1, writes: 1 });
    expect(resultOf(s.store, 'a', 'web', 'pdb-blocks-eviction')).toBe('fail');
  });

  it('writes NodePools to the ClusterPolicyReport, and re-judges them alone when one changes', async () => {
    const pool = (cpu: string): KubeObject => ({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'tiny', uid: 'pool-tiny' },
      spec: {
        limits: { cpu },
        template: {
          spec: {
            nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
            requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] }],
          },
        },
      },
    });
    const pools = new MemorySource('NodePool', [pool('1')]);
    const deployments = new MemorySource('Deployment', [inNs(deployment('web'), 'a')]);
    const store = new MemoryReportStore();
    const controller = new ReportController({
      sources: [deployments, pools],
      everything: [],
      context: () => ({
        view: new StaticClusterView(catalog, [...deployments.list(), ...pools.list()]),
        policies: base,
        today: '2026-11-22',
      }),
      store,
      logger: pino({ level: 'silent' }),
      metrics: new Metrics(),
      clock: () => new Date('2026-11-22T12:00:00Z'),
      debounceMs: 3_600_000,
      retryMs: 3_600_000,
    });
    controller.start();
    stop = () => {
      controller.stop();
    };
    await controller.pass();
    const cluster = () => store.docs.get('ClusterPolicyReport//berth');
    const never = () =>
      cluster()?.results.find((r) => r.rule === 'nodepool-never-launches' && r.resources[0]?.name === 'tiny');
    expect(never()?.result).toBe('fail');
    expect(cluster()?.results.every((r) => r.resources[0]?.kind === 'NodePool')).toBe(true);
    pools.put(pool('8'));
    expect(await controller.pass()).toMatchObject({ namespaces: 1, objects: 1, writes: 1 });
    expect(never()?.result).toBe('pass');
    expect(cluster()?.results.every((r) => r.resources[0]?.kind === 'NodePool')).toBe(true);
  });

  it('deletes the report of a namespace whose objects are gone', async () => {
    const web = inNs(deployment('web'), 'a');
    const s = started([web]);
    await s.controller.pass();
    s.deployments.remove(web);
    expect(await s.controller.pass()).toMatchObject({ writes: 1 });
    expect(s.store.docs.size).toBe(0);
  });

  it('takes over what a previous leader wrote: identical reports stay, stale ones go', async () => {
    const first = started([inNs(deployment('web'), 'a')]);
    await first.controller.pass();
    first.controller.stop();
    const next = setUp([inNs(deployment('web'), 'a')]);
    for (const [k, v] of first.store.docs) next.store.docs.set(k, v);
    const stale = structuredClone(first.store.docs.get('PolicyReport/a/berth'));
    if (stale)
      next.store.docs.set('PolicyReport/gone/berth', {
        ...stale,
        metadata: { ...stale.metadata, namespace: 'gone' },
      });
    next.controller.start();
    stop = () => {
      next.controller.stop();
    };
    expect(await next.controller.pass()).toMatchObject({ writes: 1 });
    expect([...next.store.docs.keys()]).toEqual(['PolicyReport/a/berth']);
  });

  it('retries a namespace whose write failed, and writes nothing before its caches are listed', async () => {
    const s = started([inNs(deployment('web'), 'a')]);
    s.store.failing = new Error('the server is currently unable to handle the request');
    expect(await s.controller.pass()).toMatchObject({ failed: 1 });
    expect(s.store.docs.size).toBe(0);
    s.store.failing = undefined;
    expect(await s.controller.pass()).toMatchObject({ namespaces: 1, writes: 1, failed: 0 });
    s.deployments.synced = false;
    s.reload(withMode('warn'));
    expect(await s.controller.pass()).toMatchObject({ namespaces: 0, writes: 0 });
  });

  it('exports results by rule and result, writes and scan time as metrics', async () => {
    const s = started([inNs(deployment('web'), 'a'), inNs(deployment('api'), 'b')]);
    await s.controller.pass();
    const text = await s.metrics.registry.metrics();
    expect(text).toMatch(/berth_report_results\{rule="required-labels",result="fail"\} 2/);
    expect(text).toMatch(/berth_report_writes_total\{verb="apply",result="ok"\} 2/);
    expect(text).toMatch(/berth_report_scan_duration_seconds_count 1/);
  });
});
