import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../src/catalog/catalog.js';
import { LABEL } from '../src/catalog/instance-type.js';
import { cpuMillis } from '../src/kube/quantity.js';
import { KWOK_ANNOTATION } from '../src/operator/registrar.js';
import { IDEAL_GATE, withGate } from '../bench/cluster/ideal.js';
import { offlinePlan, readyNodes } from '../bench/cluster/ready.js';
import { comparison, table, type StepResult } from '../bench/cluster/report.js';
import { deploymentOf, perfWorkloads, type Deploy } from './support/perf-workloads.js';

const catalog = builtinCatalog();

function firstStep(name: string, scale: number): Map<string, Deploy> {
  const step = perfWorkloads(scale).find((w) => w.name === name)?.steps[0];
  if (step?.kind !== 'scale-out') throw new Error(`${name} starts with no scale-out`);
  return new Map(step.create.map((d) => [d.name, d]));
}

describe("the ready side's Nodes (bench:cluster's floor)", () => {
  const deploys = firstStep('basic', 0.1);
  const plan = offlinePlan(deploys, catalog);
  const nodes = readyNodes(plan, catalog);

  it("makes one Node per node Berth's plan buys, in the plan's zones, for kwok", () => {
    expect(nodes).toHaveLength(plan.nodes.length);
    expect(new Set(nodes.map((n) => n.metadata?.name)).size).toBe(nodes.length);
    const zones = (xs: readonly (string | undefined)[]) => [...xs].sort();
    expect(zones(nodes.map((n) => n.metadata?.labels?.[LABEL.zone]))).toEqual(
      zones(plan.nodes.map((n) => n.zone)),
    );
    for (const n of nodes) {
      expect(n.metadata?.annotations?.[KWOK_ANNOTATION]).toBe('fake');
      expect(n.metadata?.labels?.[LABEL.hostname]).toBe(n.metadata?.name);
      expect(n.metadata?.labels?.['karpenter.sh/nodepool']).toBe('perf');
      expect(n.status?.conditions).toBeUndefined();
    }
  });

  it('gives every Node the largest type the plan uses, so that any pod fits anywhere', () => {
    const used = [...new Set(plan.nodes.map((n) => n.instanceType))].map((t) => catalog.byName(t));
    const most = Math.max(...used.map((t) => t?.allocatable.cpuMillis ?? 0));
    const types = new Set(nodes.map((n) => n.metadata?.labels?.[LABEL.instanceType]));
    expect(types.size).toBe(1);
    const type = catalog.byName([...types][0] ?? '');
    expect(type?.allocatable.cpuMillis).toBe(most);
    const biggest = Math.max(...[...deploys.values()].map((d) => cpuMillis(d.cpu) ?? 0));
    for (const n of nodes) expect(cpuMillis(n.status?.allocatable?.cpu) ?? 0).toBeGreaterThanOrEqual(biggest);
  });
});

describe("bench:cluster's comparison with the floor", () => {
  const row = (side: string, seconds: number | null): StepResult => ({
    workload: 'basic',
    step: 'scale-out 1000',
    side,
    seconds,
    nodes: 0,
    launched: 0,
    removed: 0,
    price: side === 'karpenter' ? 2 : 1,
    bound: 1,
    evictions: 0,
    refusedEvictions: 0,
    podDeletes: 0,
    pdbViolations: 0,
    pendingOver60: 0,
    cpuSeconds: 0,
    avgCores: 0,
    p95RssMb: 0,
    requestsPerSecond: 0,
  });

  it('says how far each side is over the floor, and what half of Karpenter’s time is', () => {
    expect(comparison([row('berth', 30), row('karpenter', 45), row('ready', 20)])).toEqual([
      'basic scale-out 1000: Berth/Karpenter time 0.67×, $/h 0.500×',
      'basic scale-out 1000: the floor (Nodes Ready before the apply, no provisioner) 20.0 s; ' +
        "Berth 30.0 s (+10.0 s); Karpenter 45.0 s (+25.0 s); half Karpenter's time is 22.5 s",
    ]);
  });

  it('leaves out a side that timed out, and the floor when it has none', () => {
    expect(comparison([row('berth', null), row('ready', 20)])).toEqual([
      'basic scale-out 1000: the floor (Nodes Ready before the apply, no provisioner) 20.0 s',
    ]);
    expect(comparison([row('berth', 30), row('ready', null)])).toEqual([]);
  });

  it("gives the free provisioner's times, gated and not, beside half of Karpenter's", () => {
    const rows = [row('karpenter', 40), row('ideal', 18), row('ideal-gated', 23.3)];
    expect(comparison(rows)).toEqual([
      'basic scale-out 1000: a free provisioner (its Nodes created as the registration delay ends): ' +
        "pods ungated 18.0 s; pods gated 23.3 s; half Karpenter's time is 20.0 s",
    ]);
    expect(comparison([row('ideal-gated', null)])).toEqual([]);
  });

  it('prints – for the CPU and memory of a side with no controller', () => {
    const ready = { ...row('ready', 14), cpuSeconds: NaN, avgCores: NaN, p95RssMb: NaN };
    const line = table([ready]).split('\n')[2] ?? '';
    expect(line).toContain('| 0 | 0 | – | – | 0.0 |');
  });
});

describe("the gated free provisioner's Deployments", () => {
  const d = deploymentOf({ name: 'app', replicas: 3, cpu: '1', memory: '1Gi' });

  it('creates their pods behind the harness gate, leaving the rest of the template as it was', () => {
    const gated = withGate(d, IDEAL_GATE);
    expect(gated.spec.template.spec).toEqual({
      ...d.spec.template.spec,
      schedulingGates: [{ name: IDEAL_GATE }],
    });
    expect(gated.spec.replicas).toBe(3);
    expect(d.spec.template.spec).not.toHaveProperty('schedulingGates');
  });

  it('leaves them alone without a gate', () => {
    expect(withGate(d, undefined)).toBe(d);
  });
});
