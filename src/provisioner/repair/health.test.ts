import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { node } from '../../../test/support/cluster.js';
import { DO_NOT_REPAIR, repairSteps, unhealthyAllowed, unhealthyOf } from './health.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const ago = (min: number) => new Date(NOW - min * 60_000).toISOString();

function withCondition(name: string, type: string, status: string, sinceMin: number, pool = 'p'): V1Node {
  const n = node(name, { pool });
  const others = (n.status?.conditions ?? []).filter((c) => c.type !== type);
  (n.status ??= {}).conditions = [
    ...others,
    { type, status, lastTransitionTime: ago(sinceMin) as unknown as Date },
  ];
  return n;
}

// aws/karpenter-provider-aws v1.14.1 cloudprovider.RepairPolicies, and node/health findUnhealthyConditions.
describe('unhealthyOf: the repair policy table', () => {
  it.each([
    ['Ready', 'False', 31, 'Ready', true],
    ['Ready', 'False', 29, 'Ready', false],
    ['Ready', 'Unknown', 31, 'Ready', true],
    ['Ready', 'True', 999, undefined, false],
    ['AcceleratedHardwareReady', 'False', 11, 'AcceleratedHardwareReady', true],
    ['AcceleratedHardwareReady', 'False', 9, 'AcceleratedHardwareReady', false],
    ['StorageReady', 'False', 31, 'StorageReady', true],
    ['NetworkingReady', 'False', 31, 'NetworkingReady', true],
    ['KernelReady', 'False', 31, 'KernelReady', true],
    ['ContainerRuntimeReady', 'False', 31, 'ContainerRuntimeReady', true],
    ['KernelReady', 'Unknown', 999, undefined, false],
    ['MemoryPressure', 'True', 999, undefined, false],
  ])('%s=%s for %i min', (type, status, min, condition, due) => {
    const u = unhealthyOf(withCondition('n', type, status, min));
    expect(u?.condition).toBe(condition);
    if (u) expect(u.repairAt <= NOW).toBe(due);
  });

  it('takes the condition whose toleration runs out first', () => {
    const n = withCondition('n', 'Ready', 'False', 5);
    (n.status?.conditions ?? []).push({
      type: 'AcceleratedHardwareReady',
      status: 'False',
      lastTransitionTime: ago(1) as unknown as Date,
    });
    // Ready runs out 25 min from now, the accelerator in 9.
    expect(unhealthyOf(n)?.condition).toBe('AcceleratedHardwareReady');
  });
});

describe('repairSteps: at most 20% of a pool, rounded up', () => {
  it.each([
    [1, 1],
    [3, 1],
    [5, 1],
    [6, 2],
    [10, 2],
    [11, 3],
  ])('%i nodes: %i may be unhealthy', (total, allowed) => {
    expect(unhealthyAllowed(total)).toBe(allowed);
  });

  const pool = (healthy: number, unhealthy: number, name = 'p') => [
    ...Array.from({ length: healthy }, (_, i) => node(`${name}-ok-${i}`, { pool: name })),
    ...Array.from({ length: unhealthy }, (_, i) =>
      withCondition(`${name}-bad-${i}`, 'Ready', 'False', 45, name),
    ),
  ];
  const kinds = (nodes: V1Node[], skip: (n: V1Node) => boolean = () => false) =>
    repairSteps(nodes, NOW, skip).map((s) => [s.node.metadata?.name, s.kind]);

  it('repairs one unhealthy node of three (33%, but the one the rounding allows)', () => {
    expect(kinds(pool(2, 1))).toEqual([['p-bad-0', 'repair']]);
  });

  it('blocks every repair in a pool with more unhealthy than allowed, and says why', () => {
    const steps = repairSteps(pool(7, 3), NOW, () => false);
    expect(steps.map((s) => s.kind)).toEqual(['blocked', 'blocked', 'blocked']);
    expect(steps[0]?.kind === 'blocked' ? steps[0].why : '').toBe(
      'more than 20% nodes are unhealthy in the nodepool (3 of 10 in NodePool p)',
    );
  });

  it('counts each pool on its own, and waits for a node within its toleration', () => {
    const fresh = withCondition('q-new', 'Ready', 'Unknown', 2, 'q');
    const steps = repairSteps(
      [...pool(4, 1), ...pool(1, 4, 'r'), fresh, node('q-ok', { pool: 'q' })],
      NOW,
      () => false,
    );
    expect(steps.map((s) => [s.node.metadata?.name, s.kind])).toEqual([
      ['r-bad-0', 'blocked'],
      ['r-bad-1', 'blocked'],
      ['r-bad-2', 'blocked'],
      ['r-bad-3', 'blocked'],
      ['q-new', 'wait'],
      ['p-bad-0', 'repair'],
    ]);
    const wait = steps.find((s) => s.kind === 'wait');
    expect(wait?.unhealthy.repairAt).toBe(NOW + 28 * 60_000);
  });

  it('leaves out nodes already being disrupted, but counts them toward the pool', () => {
    expect(kinds(pool(4, 1), (n) => n.metadata?.name === 'p-bad-0')).toEqual([]);
    expect(kinds(pool(7, 3), (n) => n.metadata?.name === 'p-bad-0')).toEqual([
      ['p-bad-1', 'blocked'],
      ['p-bad-2', 'blocked'],
    ]);
  });
});

/**
 * Karpenter v1.15's repair as a disruption method (pkg/controllers/disruption/repair.go,
 * computeCommands; NodePoolStatsFromNodes): budgets with reason Unhealthy pace it, NotReady nodes do
 * not use that budget up, the longest-unhealthy node goes first and one is repaired per pass, and
 * karpenter.sh/do-not-repair vetoes it.
 */
describe('repairSteps: budgets (reason Unhealthy), order, do-not-repair', () => {
  const sick = (name: string, min: number, pool = 'p') => withCondition(name, 'Ready', 'False', min, pool);
  const healthy = (n: number, pool = 'p') =>
    Array.from({ length: n }, (_, i) => node(`${pool}-ok-${i}`, { pool }));
  const kinds = (steps: ReturnType<typeof repairSteps>) => steps.map((s) => [s.node.metadata?.name, s.kind]);

  it('repairs the longest-unhealthy node first, one per round', () => {
    const steps = repairSteps([sick('young', 40), sick('old', 90), ...healthy(8)], NOW, () => false);
    expect(kinds(steps)).toEqual([
      ['old', 'repair'],
      ['young', 'budget'],
    ]);
    expect(steps[1]?.kind === 'budget' ? steps[1].why : '').toBe(
      'another node is repaired first (one per round)',
    );
  });

  it('waits while the pool budget for Unhealthy allows none, counting only nodes already disrupting', () => {
    const seen: { total: number; disrupting: number }[] = [];
    const draining = node('p-draining', { pool: 'p' });
    const steps = repairSteps(
      [sick('s', 45), draining, ...healthy(3)],
      NOW,
      (n) => n.metadata?.name === 'p-draining',
      (_pool, counts) => {
        seen.push(counts);
        return {
          allowed: 1 - counts.disrupting,
          why: 'budget nodes: 1 allows 1 of 5 nodes, 1 already disrupting or not Ready',
        };
      },
    );
    // The NotReady node itself does not use the budget up; the draining one does.
    expect(seen).toEqual([{ total: 5, disrupting: 1 }]);
    expect(kinds(steps)).toEqual([['s', 'budget']]);
    expect(steps[0]?.kind === 'budget' ? steps[0].why : '').toBe(
      "NodePool p's disruption budget for Unhealthy: budget nodes: 1 allows 1 of 5 nodes, 1 already disrupting or not Ready",
    );
  });

  it('a pool without budget does not hold up another pool', () => {
    const steps = repairSteps(
      [sick('p-sick', 90), ...healthy(4), sick('q-sick', 45, 'q'), ...healthy(4, 'q')],
      NOW,
      () => false,
      (pool) => ({ allowed: pool === 'p' ? 0 : 1, why: 'x' }),
    );
    expect(kinds(steps)).toEqual([
      ['p-sick', 'budget'],
      ['q-sick', 'repair'],
    ]);
  });

  it('karpenter.sh/do-not-repair blocks it, with the reason Karpenter gives', () => {
    const vetoed = sick('vetoed', 90);
    (vetoed.metadata ??= {}).annotations = { [DO_NOT_REPAIR]: 'true' };
    const steps = repairSteps([vetoed, sick('other', 45), ...healthy(8)], NOW, () => false);
    expect(kinds(steps)).toEqual([
      ['vetoed', 'blocked'],
      ['other', 'repair'],
    ]);
    expect(steps[0]?.kind === 'blocked' ? steps[0].why : '').toBe(
      'repair is blocked through the "karpenter.sh/do-not-repair" annotation',
    );
  });
});
