/**
 * npm run bench:cheapest — the cheapest fleet any provisioner could run each step of bench:cluster's
 * *basic* and *churn* workloads on (bench/cluster/cheapest.ts): the exact integer optimum over the
 * types the bench's NodePool allows (on-demand, under 32 vCPUs), at the catalog's prices. A $/h goal
 * against Karpenter can be checked against it: below this figure no plan goes.
 *
 * Options: --scale N (the workloads' size, as bench:cluster's; default 1) · --daemonsets (room for
 * the six DaemonSets bench:cluster --daemonsets runs on every node).
 */
import { builtinCatalog } from '../src/catalog/catalog.js';
import { cpuMillis, memoryMiB } from '../src/kube/quantity.js';
import { fromAllocatable, res, sub, type Res } from '../src/provisioner/solver/resources.js';
import { poolView, type NodePool } from '../src/scheduling/nodepool.js';
import { poolTypesFor } from '../src/scheduling/placement.js';
import { Requirements } from '../src/scheduling/requirements.js';
import { berthPerfPool, nodeDaemonSets, perfWorkloads, type Deploy } from '../test/support/perf-workloads.js';
import { cheapestFleet, type Offer, type Shape } from './cluster/cheapest.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const scale = Number(arg('--scale') ?? '1');
const catalog = builtinCatalog();

const requestsOf = (cpu: string, memory: string): Res => res(cpuMillis(cpu) ?? 0, memoryMiB(memory) ?? 0);

function daemonSetRoom(): Res {
  let total = res(0, 0, 0);
  if (!process.argv.includes('--daemonsets')) return total;
  for (const d of nodeDaemonSets() as {
    spec: {
      template: { spec: { containers: { resources: { requests: { cpu: string; memory: string } } }[] } };
    };
  }[]) {
    const r = d.spec.template.spec.containers[0]?.resources.requests;
    if (r)
      total = {
        ...total,
        cpu: total.cpu + (cpuMillis(r.cpu) ?? 0),
        mem: total.mem + (memoryMiB(r.memory) ?? 0),
        pods: total.pods + 1,
      };
  }
  return total;
}

function offers(): Offer[] {
  const agents = daemonSetRoom();
  return poolTypesFor(poolView(berthPerfPool() as NodePool), Requirements.of([]), catalog).flatMap((t) => {
    const prices = catalog.zones
      .map((z) => catalog.price(t, z, 'on-demand'))
      .filter((p): p is number => p !== null);
    if (prices.length === 0) return [];
    return [
      { name: t.name, pricePerHour: Math.min(...prices), room: sub(fromAllocatable(t.allocatable), agents) },
    ];
  });
}

const placed = (d: Deploy) => !d.hostnameSpread && !d.zoneSpread && !d.antiAffinity;

function shapesOf(deploys: ReadonlyMap<string, Deploy>, replicas: ReadonlyMap<string, number>): Shape[] {
  const byShape = new Map<string, Shape>();
  for (const [name, d] of deploys) {
    const key = `${d.cpu}/${d.memory}`;
    const count = (byShape.get(key)?.count ?? 0) + (replicas.get(name) ?? 0);
    byShape.set(key, { requests: requestsOf(d.cpu, d.memory), count });
  }
  // The larger shape first: the program counts mixes by it.
  return [...byShape.values()].sort((a, b) => b.requests.mem - a.requests.mem);
}

const all = offers();
console.log('| workload | step | pods | cheapest $/h | its nodes |');
console.log('| --- | --- | --- | --- | --- |');
for (const w of perfWorkloads(scale).filter((x) => x.name === 'basic' || x.name === 'churn')) {
  const deploys = new Map<string, Deploy>();
  const replicas = new Map<string, number>();
  const row = (step: string, counts: ReadonlyMap<string, number>) => {
    if (![...deploys.values()].every(placed)) return;
    const shapes = shapesOf(deploys, counts);
    const fleet = cheapestFleet(all, shapes);
    const pods = shapes.reduce((n, s) => n + s.count, 0);
    const nodes = fleet?.nodes.map((n) => `${n.count} ${n.type}`).join(', ') ?? 'none fits';
    console.log(
      `| ${w.name} | ${step} | ${pods} | ${fleet ? fleet.pricePerHour.toFixed(3) : '–'} | ${nodes} |`,
    );
  };
  for (const s of w.steps) {
    if (s.kind === 'scale-out')
      for (const d of s.create) {
        deploys.set(d.name, d);
        replicas.set(d.name, d.replicas);
      }
    if (s.kind === 'scale-out' || s.kind === 'scale-in' || s.kind === 'churn')
      for (const [name, n] of Object.entries(s.scale)) replicas.set(name, n);
    if (s.kind === 'churn') row('churn low', new Map(Object.entries(s.low)));
    if (s.kind !== 'drift') row(s.kind === 'churn' ? 'churn high' : s.kind, replicas);
  }
}
