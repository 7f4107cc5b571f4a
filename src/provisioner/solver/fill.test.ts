import { describe, expect, it } from 'vitest';
import { fill, fillLargestFirst, type Shape } from './fill.js';
import type { SolverPod } from './model.js';
import { res, ZERO, type Res } from './resources.js';
import type { PodTopology } from './topology.js';
import { seededRandom } from '../../util/seeded.js';

const NO_TOPOLOGY: PodTopology = {
  spread: [],
  affinity: [],
  anti: [],
  matched: [],
  needsZone: false,
  constrained: false,
};

function shape(i: number, req: Res, count: number): Shape {
  return {
    key: `s${String(i)}`,
    req,
    topo: NO_TOPOLOGY,
    pods: Array.from({ length: count }, () => ({}) as SolverPod),
  };
}

/** The L2-norm greedy one pod at a time, as written before runs were taken at once: the reference. */
function reference(cap: Res, used: Res, shapes: readonly Shape[]): number[] {
  const take = shapes.map(() => 0);
  const u = { ...used };
  const inv = (c: number) => (c > 0 ? 1 / c : 0);
  for (;;) {
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    shapes.forEach((s, i) => {
      const r = s.req;
      const free = { cpu: cap.cpu - u.cpu, mem: cap.mem - u.mem, pods: cap.pods - u.pods };
      if (s.pods.length - (take[i] ?? 0) <= 0 || r.cpu > free.cpu || r.mem > free.mem || r.pods > free.pods)
        return;
      const rc = (free.cpu - r.cpu) * inv(cap.cpu);
      const rm = (free.mem - r.mem) * inv(cap.mem);
      const rp = (free.pods - r.pods) * inv(cap.pods);
      const v = -(rc * rc + rm * rm + rp * rp);
      if (v > bestScore) [bestScore, best] = [v, i];
    });
    const s = shapes[best];
    if (!s) return take;
    take[best] = (take[best] ?? 0) + 1;
    u.cpu += s.req.cpu;
    u.mem += s.req.mem;
    u.pods += s.req.pods;
  }
}

describe('fill: the greedy top-up', () => {
  const CPU = [100, 250, 500, 1000, 1500];
  const MEM = [100, 256, 512, 1024, 2048, 4096];
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))(
    'takes runs of one shape at once and makes the same choices as one pod at a time (seed %i)',
    (seed) => {
      const r = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
      const n = 1 + Math.floor(r() * 12);
      const shapes = Array.from({ length: n }, (_, i) =>
        shape(i, res(pick(CPU), pick(MEM)), Math.floor(r() * 200)),
      );
      const cap = res(
        pick([2000, 8000, 48000, 192000]),
        pick([4096, 16384, 98304, 393216]),
        pick([29, 110, 737]),
      );
      const used =
        r() < 0.5 ? { ...ZERO } : res(Math.floor(r() * cap.cpu * 0.5), Math.floor(r() * cap.mem * 0.5), 3);
      expect(fill(cap, used, shapes, false).take).toEqual(reference(cap, used, shapes));
    },
  );
});

describe('fillLargestFirst: a node that is there takes the larger pods first', () => {
  // bench:cluster churn's shapes: 900m/3100Mi and 3500m/28Gi; a hole of 4400m/31.1Gi on the node.
  const small = () => shape(0, res(900, 3100), 100);
  const large = () => shape(1, res(3500, 28 * 1024), 30);
  const cap = res(16_000, 128 * 1024, 110);
  const used = res(11_600, 128 * 1024 - 31_900, 4);

  it.each([
    { name: 'small listed first', shapes: () => [small(), large()], want: [1, 1] },
    { name: 'large listed first', shapes: () => [large(), small()], want: [1, 1] },
  ])('$name: the large pod and the small one beside it, $want', ({ shapes, want }) => {
    expect(fillLargestFirst(cap, used, shapes())).toEqual(want);
  });

  it('the balanced fill gives that hole to small pods (what a node still to be chosen wants)', () => {
    expect(fill(cap, used, [small(), large()]).take).toEqual([4, 0]);
  });

  it('takes no more than a shape has, nor than the node holds', () => {
    expect(fillLargestFirst(cap, res(0, 0, 0), [shape(0, res(900, 3100), 3)])).toEqual([3]);
    expect(fillLargestFirst(res(2000, 8192, 1), ZERO, [shape(0, res(900, 3100), 3)])).toEqual([1]);
  });
});
