/**
 * npm run bench:reports — the leader's background scan over 10,000 existing objects (100 namespaces:
 * Deployments, StatefulSets, PDBs, HPAs, bare Pods, a profile each), judged by the admission engine
 * against the full rule set and the seven default NodePools, written to an in-memory store that counts
 * API writes. Prints the first full pass, a resync with nothing changed, one Deployment changed, and a
 * policies.yaml mode change: time and writes each. Goals: a scan of 10,000 objects under 5 s; at most
 * one write per namespace per change. Options: --namespaces N, --per-namespace N, --json.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { KubeObject } from '../src/kube/objects.js';
import { Metrics } from '../src/observability/metrics.js';
import { Policies } from '../src/policies/policies.js';
import { StaticClusterView } from '../src/policies/view.js';
import { ReportController } from '../src/reports/controller.js';
import { MemoryReportStore, MemorySource } from '../src/reports/memory.js';
import { deployment as template, policies, profile, view as scenarioView } from './scenario.js';

const { values } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '100' },
    'per-namespace': { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const namespaces = Number(values.namespaces);
const perNamespace = Number(values['per-namespace']);

function named<T extends KubeObject>(o: T, name: string, ns: string, extra: Partial<KubeObject> = {}): T {
  const copy = structuredClone(o);
  copy.metadata = Object.assign(copy.metadata ?? {}, {
    name,
    namespace: ns,
    uid: `${ns}/${o.kind ?? ''}/${name}`,
  });
  return Object.assign(copy, extra);
}

/**
 * One namespace's objects: a profile, then Deployments (every seventh a StatefulSet, every third
 * without the required labels), a PDB for every fifth, an HPA for every sixth, a bare Pod every fourth.
 */
function namespaceObjects(ns: string): KubeObject[] {
  const out: KubeObject[] = [named(profile as unknown as KubeObject, 'checkout', ns)];
  for (let i = 1; out.length < perNamespace; i++) {
    const app = `app-${i}`;
    const d = named(template, app, ns);
    const spec = d.spec as {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> } };
    };
    spec.selector.matchLabels = { app };
    spec.template.metadata.labels = { app };
    if (i % 3 === 0 && d.metadata) d.metadata.labels = { team: 'x' }; // unbound, required labels missing
    if (i % 7 === 0) d.kind = 'StatefulSet';
    out.push(d);
    if (i % 5 === 0)
      out.push({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: app, namespace: ns, uid: `${ns}/pdb/${app}` },
        spec: { [i % 10 === 0 ? 'minAvailable' : 'maxUnavailable']: 1, selector: { matchLabels: { app } } },
      });
    if (i % 6 === 0)
      out.push({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: app, namespace: ns, uid: `${ns}/hpa/${app}` },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
          minReplicas: 2,
          maxReplicas: 20,
        },
      });
    if (i % 4 === 0)
      out.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `debug-${i}`, namespace: ns, uid: `${ns}/pod/${i}`, labels: { app: `debug-${i}` } },
        spec: {
          containers: [
            { name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '10m', memory: '16Mi' } } },
          ],
        },
      });
  }
  return out.slice(0, perNamespace);
}

const all = Array.from({ length: namespaces }, (_, n) => namespaceObjects(`team-${n}`)).flat();
const byKind = new Map<string, KubeObject[]>();
for (const o of all) byKind.set(o.kind ?? '', [...(byKind.get(o.kind ?? '') ?? []), o]);
const sources = [...byKind].map(([kind, objects]) => new MemorySource(kind, objects));
const view = new StaticClusterView(scenarioView.catalog, [...all]);
for (const p of scenarioView.nodePools) view.add(p.pool as unknown as KubeObject);
const store = new MemoryReportStore();
let current = policies;
const reloads: (() => void)[] = [];
const controller = new ReportController({
  sources,
  everything: [(l) => (reloads.push(l), () => undefined)],
  context: () => ({ view, policies: current, today: '2026-11-22' }),
  store,
  logger: pino({ level: 'silent' }),
  metrics: new Metrics(),
  clock: () => new Date(),
  debounceMs: 3_600_000,
});
controller.start();

/** The event loop also answers admission: how long the scan ever held it is what a review could wait. */
async function step(name: string, change: () => void) {
  change();
  const writes = store.writes;
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const t = performance.now();
  const pass = await controller.pass();
  lag.disable();
  return {
    step: name,
    seconds: Math.round((performance.now() - t) / 10) / 100,
    judged: pass.objects,
    namespaces: pass.namespaces,
    writes: store.writes - writes,
    longestStallMs: Math.round(lag.max / 1e6),
  };
}

const steps = [
  await step('first full scan', () => undefined),
  await step('resync, nothing changed', () => {
    for (const l of reloads) l();
  }),
  await step('one Deployment changed', () => {
    const deployments = sources.find((s) => s.kind === 'Deployment');
    const d = deployments?.list('team-7').find((o) => o.metadata?.labels?.team === 'x');
    if (!d) throw new Error('no unlabelled Deployment in team-7');
    const fixed = structuredClone(d);
    if (fixed.metadata)
      fixed.metadata.labels = { team: 'x', 'app.kubernetes.io/name': d.metadata?.name ?? '' };
    view.add(fixed);
    deployments?.put(fixed);
  }),
  await step('policies.yaml: required-labels audit → warn', () => {
    current = new Policies({
      ...policies.doc,
      rules: { ...policies.doc.rules, 'required-labels': { mode: 'warn' } },
    });
    for (const l of reloads) l();
  }),
];
controller.stop();
globalThis.gc?.();
const mem = process.memoryUsage();
const results = [...store.docs.values()].reduce((n, r) => n + r.results.length, 0);
const out = {
  objects: all.length,
  namespaces,
  results,
  heapUsedMiB: Math.round(mem.heapUsed / 2 ** 20),
  steps,
  node: process.version,
};
if (values.json) console.log(JSON.stringify(out));
else {
  console.log(
    `bench:reports — background scan of ${all.length.toLocaleString('en-US')} objects in ${namespaces} namespaces (${results.toLocaleString('en-US')} results), all rules, 7 NodePools`,
  );
  for (const s of steps)
    console.log(
      `  ${s.step.padEnd(44)} ${String(s.seconds).padStart(6)} s   ${String(s.judged).padStart(6)} judged in ${String(s.namespaces).padStart(3)} namespaces   ${String(s.writes).padStart(4)} writes   longest event-loop stall ${s.longestStallMs} ms`,
    );
  console.log(
    `  heap used ${out.heapUsedMiB} MiB; goals: a full scan under 5 s, at most one write per namespace per change; ${process.version}`,
  );
}
