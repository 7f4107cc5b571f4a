import { describe, expect, it } from 'vitest';
import { LABEL } from '../../catalog/instance-type.js';
import { boundPod, spreadPod, zonedNode } from '../../../test/support/spread-pods.js';
import type { ExistingNode, PlannedNode, SolverPod } from '../solver/model.js';
import { asBound, type Provisional } from './binder.js';
import { afterPlan, overSpread } from './spread-trim.js';

const pod = spreadPod;
const bound = boundPod;
const node = zonedNode;

/**
 * The round's nodes with the kept pods on them (as hold.ts and nominate.ts leave them), and the kept
 * pods: `keep` maps a node's name to the waiting pods kept there.
 */
function kept(
  nodes: readonly ExistingNode[],
  keep: Readonly<Record<string, readonly SolverPod[]>>,
): { nodes: ExistingNode[]; kept: Provisional[] } {
  const out: Provisional[] = [];
  const withKept = nodes.map((n) => {
    const pods = keep[n.name] ?? [];
    for (const p of pods) out.push({ node: n.name, placed: asBound(p), pod: p });
    return { ...n, pods: [...n.pods, ...pods.map(asBound)] };
  });
  return { nodes: withKept, kept: out };
}

describe('overSpread', () => {
  it('gives back a pod kept in a zone over the least loaded one by maxSkew once it binds (a scale-in emptied zone a)', () => {
    const k = kept([node('a-1', 'a'), node('b-1', 'b', [bound('x1')]), node('c-1', 'c', [bound('x2')])], {
      'b-1': [pod('w1')],
    });
    expect([...overSpread(k.nodes, k.kept)]).toEqual(['perf/w1']);
  });

  it('keeps pods that leave every zone within maxSkew, counting the claims in flight and what they keep', () => {
    const k = kept([node('a-claim', 'a', [], true), node('b-1', 'b', [bound('x1')]), node('c-1', 'c')], {
      'a-claim': [pod('w1'), pod('w2')],
      'b-1': [pod('w3')],
      'c-1': [pod('w4'), pod('w5')],
    });
    expect(overSpread(k.nodes, k.kept).size).toBe(0);
  });

  it('gives back only as many as bring the zone within maxSkew, the last kept first', () => {
    const k = kept([node('a-1', 'a'), node('b-1', 'b', [bound('x1')])], {
      'b-1': [pod('w1'), pod('w2'), pod('w3')],
    });
    // b would hold 4 against a's 0: three must go for b to be within 1 of a.
    expect([...overSpread(k.nodes, k.kept)]).toEqual(['perf/w3', 'perf/w2', 'perf/w1']);
    const k2 = kept([node('a-1', 'a', [bound('x0')]), node('b-1', 'b')], {
      'b-1': [pod('w1'), pod('w2'), pod('w3')],
    });
    expect([...overSpread(k2.nodes, k2.kept)]).toEqual(['perf/w3']);
    const wide = kept([node('a-1', 'a'), node('b-1', 'b')], {
      'b-1': [pod('w1', { maxSkew: 2 }), pod('w2', { maxSkew: 2 })],
    });
    expect(overSpread(wide.nodes, wide.kept).size).toBe(0);
  });

  it("counts only zones of nodes the pod may go to (its node affinity), as kube-scheduler's minimum does", () => {
    const k = kept([node('a-1', 'a'), node('b-1', 'b', [bound('x1')]), node('c-1', 'c', [bound('x2')])], {
      'b-1': [pod('w1', { zones: ['b', 'c'] })],
    });
    expect(overSpread(k.nodes, k.kept).size).toBe(0);
  });

  it('leaves pods without a DoNotSchedule spread alone', () => {
    const k = kept([node('a-1', 'a'), node('b-1', 'b', [bound('x1'), bound('x2')])], {
      'b-1': [pod('w1', { soft: true })],
    });
    expect(overSpread(k.nodes, k.kept).size).toBe(0);
  });
});

describe('afterPlan, then overSpread', () => {
  const planned = (name: string, zone: string): PlannedNode => ({
    name,
    nodePool: 'perf',
    instanceType: 'm5.large',
    zone,
    capacityType: 'on-demand',
    pricePerHour: 0.096,
    existing: false,
    pods: [],
    labels: { [LABEL.zone]: zone, [LABEL.hostname]: name },
    taints: [],
    alternatives: [],
  });

  it("keeps what the plan's own pods make whole: a scale-out's later replica fills the empty zone", () => {
    // Two claims keep three replicas (b: 2, c: 1); zone a has a node; a fourth replica waits.
    const k = kept([node('a-1', 'a'), node('b-claim', 'b', [], true), node('c-claim', 'c', [], true)], {
      'b-claim': [pod('w1'), pod('w2')],
      'c-claim': [pod('w3')],
    });
    const w4 = pod('w4');
    const input = { nodes: k.nodes, pods: [w4] };
    expect([...overSpread(afterPlan(input, { nodes: [], bindings: [] }), k.kept)]).toEqual(['perf/w2']);
    // The plan puts it in zone a, on the node there or on a new one: nothing is given back.
    const onA = afterPlan(input, { nodes: [], bindings: [{ pod: w4.id, node: 'a-1' }] });
    expect(overSpread(onA, k.kept).size).toBe(0);
    const onNew = afterPlan(input, {
      nodes: [planned('new-a', 'a')],
      bindings: [{ pod: w4.id, node: 'new-a' }],
    });
    expect(onNew.map((n) => n.name)).toEqual(['a-1', 'b-claim', 'c-claim', 'new-a']);
    expect(overSpread(onNew, k.kept).size).toBe(0);
  });

  it("counts a fed replica by its template's labels, and a new node's zone from the plan", () => {
    const template = pod('web-');
    const groups = [{ pod: template, from: 0, count: 3 }];
    const out = afterPlan(
      { nodes: [node('b-1', 'b')], pods: [], groups },
      {
        nodes: [planned('new-a', 'a')],
        bindings: [
          { pod: 'perf/web-2', node: 'new-a' },
          { pod: 'perf/gone', node: 'b-1' },
        ],
      },
    );
    expect(
      out.map((n) => [n.name, n.labels[LABEL.zone], n.pods.map((p) => [p.id, p.labels['app']])]),
    ).toEqual([
      ['b-1', 'b', []],
      ['new-a', 'a', [['perf/web-2', 'web']]],
    ]);
  });
});
