import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../catalog/catalog.js';
import { solverPod } from '../input/pods.js';
import { poolView, type NodePool } from '../../scheduling/nodepool.js';
import { Bin, narrow, wholePool } from './bin.js';
import type { SolverPod } from './model.js';
import { Relocator } from './relocate.js';
import { shrink } from './shrink.js';
import { SolverState } from './state.js';

const pool: NodePool = {
  metadata: { name: 'm5' },
  spec: {
    template: {
      spec: {
        nodeClassRef: { name: 'default' },
        requirements: [
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large', 'm5.xlarge'] },
        ],
      },
    },
  },
};

const pod = (name: string, cpu: string): SolverPod =>
  solverPod(`shop/${name}`, 'shop', {
    metadata: { labels: { app: name } },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu, memory: '256Mi' } } }] },
  });

function setup(pods: SolverPod[]) {
  const state = new SolverState({
    pods,
    nodes: [],
    pools: [poolView(pool)],
    daemonSets: [],
    catalog: builtinCatalog(),
  });
  const p = state.pools[0];
  if (!p) throw new Error('no pool');
  const bin = (name: string, on: SolverPod[]) => {
    const first = on[0];
    const n = first
      ? narrow(
          p.option,
          wholePool(p.option),
          first.terms[0] ?? p.option.view.requirements,
          state.input.catalog,
        )
      : null;
    if (!n) throw new Error('pool does not narrow');
    const b = Bin.claim(name, p, n);
    state.bins.push(b);
    for (const x of on) state.place(b, [x], state.topology.of(x), n);
    return b;
  };
  return { state, bin };
}

describe('shrink', () => {
  it('moves free pods into room already paid for when that makes their node a cheaper type', () => {
    const [a1, a2, a3, b1] = [pod('a1', '1000m'), pod('a2', '1000m'), pod('a3', '500m'), pod('b1', '300m')];
    const { state, bin } = setup([a1, a2, a3, b1]);
    const a = bin('a', [a1, a2, a3]);
    const b = bin('b', [b1]);
    expect([a.current?.type.name, b.current?.type.name]).toEqual(['m5.xlarge', 'm5.large']);
    shrink(state, () => true, new Map([a1, a2, a3, b1].map((p) => [p.id, p])));
    expect([a.current?.type.name, b.current?.type.name]).toEqual(['m5.large', 'm5.large']);
    expect(a.pods.length + b.pods.length).toBe(4);
    // Bindings follow the pod that moved.
    for (const x of state.bindings) expect((x.node === 'a' ? a : b).pods).toContain(x.pod);
  });

  it('moves nothing when the room found would not make the node cheaper, nor pods that are not free', () => {
    const [a1, a2, b1] = [pod('a1', '1500m'), pod('a2', '1500m'), pod('b1', '1000m')];
    const { state, bin } = setup([a1, a2, b1]);
    const a = bin('a', [a1, a2]);
    const b = bin('b', [b1]);
    shrink(state, () => true, new Map([a1, a2, b1].map((p) => [p.id, p])));
    expect(a.pods).toHaveLength(2);
    expect(b.pods).toHaveLength(1);
    const c = setup([pod('c1', '1000m'), pod('c2', '1000m'), pod('c3', '500m'), pod('d1', '300m')]);
    const [c1, c2, c3, d1] = c.state.input.pods;
    if (!c1 || !c2 || !c3 || !d1) throw new Error('pods');
    const big = c.bin('c', [c1, c2, c3]);
    c.bin('d', [d1]);
    shrink(c.state, () => true, new Map([[d1.id, d1]])); // only d1 is free: c's pods stay
    expect(big.pods).toHaveLength(3);
  });
});

const constrained = (name: string, app: string, cpu: string, how: 'anti' | 'host-spread'): SolverPod =>
  solverPod(`shop/${name}`, 'shop', {
    metadata: { labels: { app } },
    spec: {
      containers: [{ name: 'c', resources: { requests: { cpu, memory: '256Mi' } } }],
      ...(how === 'anti'
        ? {
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app } } },
                ],
              },
            },
          }
        : {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: { app } },
              },
            ],
          }),
    },
  });

describe('shrink with constrained pods (Relocator)', () => {
  const relocate = (state: SolverState) => {
    const pods = state.input.pods.map((pod) => ({ pod, topo: state.topology.of(pod) }));
    shrink(state, () => true, new Map(), new Relocator(state, pods));
  };
  const hostCount = (state: SolverState, p: SolverPod, host: string) =>
    state.topology.of(p).matched[0]?.counts.get(host) ?? 0;

  /** a: x1, y1, w1 (2.5 vCPU: an m5.xlarge) in us-east-1a; b: x2 (an m5.large with room) in `zoneOfB`. */
  function world(zoneOfB: string, how: 'anti' | 'host-spread' = 'anti') {
    const x1 = constrained('x1', 'x', '1000m', how);
    const y1 = constrained('y1', 'y', '1000m', how);
    const w1 = constrained('w1', 'w', '500m', how);
    const x2 = constrained('x2', 'x', '300m', how);
    const s = setup([x1, y1, w1, x2]);
    const a = s.bin('a', [x1, y1, w1]);
    a.pin('us-east-1a');
    const b = s.bin('b', [x2]);
    b.pin(zoneOfB);
    return { state: s.state, a, b, x1, y1 };
  }

  it('moves a pod whose hostname anti-affinity the target respects, within its zone, and keeps the counts', () => {
    const { state, a, b, x1, y1 } = world('us-east-1a');
    expect(a.current?.type.name).toBe('m5.xlarge');
    relocate(state);
    expect(a.current?.type.name).toBe('m5.large');
    // y1 moved (nothing of app y on b); x1 stayed (x2 is on b).
    expect(b.pods).toContain(y1.id);
    expect(a.pods).toContain(x1.id);
    expect([hostCount(state, y1, 'a'), hostCount(state, y1, 'b')]).toEqual([0, 1]);
  });

  it('moves no constrained pod to another zone, nor one in a hostname spread', () => {
    for (const w of [world('us-east-1b'), world('us-east-1a', 'host-spread')]) {
      relocate(w.state);
      expect(w.a.pods).toHaveLength(3);
      expect(w.a.current?.type.name).toBe('m5.xlarge');
    }
  });

  it('undoes the counts of moves tried for a node that could not be made cheaper', () => {
    const y1 = constrained('y1', 'y', '1000m', 'anti');
    const v1 = constrained('v1', 'v', '1000m', 'anti');
    const u1 = constrained('u1', 'u', '1000m', 'anti');
    const x2 = constrained('x2', 'x', '300m', 'anti');
    const s = setup([y1, v1, u1, x2]);
    const a = s.bin('a', [y1, v1, u1]);
    a.pin('us-east-1a');
    s.bin('b', [x2]).pin('us-east-1a');
    relocate(s.state);
    expect(a.pods).toHaveLength(3);
    expect([hostCount(s.state, y1, 'a'), hostCount(s.state, y1, 'b')]).toEqual([1, 0]);
  });
});
