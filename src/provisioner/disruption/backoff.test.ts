import { describe, expect, it } from 'vitest';
import { node, pdb, pod } from '../../../test/support/cluster.js';
import { cluster } from '../../../test/support/disruption-cluster.js';
import { ReplacementBackoff } from './backoff.js';

describe('ReplacementBackoff', () => {
  it('doubles the wait with each failure, up to 30 minutes, and forgets a node whose replacement is Ready', () => {
    const b = new ReplacementBackoff();
    expect(b.failed(['a'], 'InsufficientInstanceCapacity', 0)).toBe(60_000);
    expect(b.waiting('a', 30_000)).toBe(
      'its replacement failed 30s ago (InsufficientInstanceCapacity); tried again in 30s (backoff after 1 failure)',
    );
    expect(b.waiting('a', 60_000)).toBeUndefined();
    expect(b.failed(['a'], 'x', 60_000)).toBe(120_000);
    for (let i = 0; i < 10; i++) b.failed(['a'], 'x', 0);
    expect(b.failed(['a'], 'x', 0)).toBe(30 * 60_000);
    b.succeeded(['a']);
    expect(b.failed(['a'], 'x', 0)).toBe(60_000);
  });
});

// Karpenter retries a drifted node whose replacement cannot launch on every disruption loop
// (kubernetes-sigs/karpenter#1775, #3080); Berth waits, longer after each failure, and says so.
describe('a failed replacement backs off and says so', () => {
  it('a drifted node whose replacement fails is kept for a minute, then tried again', async () => {
    const c = cluster(
      [node('old', { type: 't3.micro', capacity: 'spot' })],
      [pod('w', 'old', { cpu: '500m' })],
      [],
      {
        replace: 'fail',
        validationMs: 0,
      },
    );
    expect(await c.controller.round()).toMatchObject({
      kind: 'aborted',
      why: /^a replacement did not launch: Error: InsufficientInstanceCapacity; tried again in 60s$/,
    });
    c.later(10_000);
    const kept = await c.controller.round();
    expect(kept).toMatchObject({ kind: 'none' });
    expect(kept.kind === 'none' ? kept.kept : []).toEqual([
      {
        node: 'old',
        reason:
          'its replacement failed 10s ago (a replacement did not launch: Error: InsufficientInstanceCapacity); tried again in 50s (backoff after 1 failure)',
      },
    ]);
    c.later(50_000);
    expect(await c.controller.round()).toMatchObject({ kind: 'aborted', why: /tried again in 120s$/ });
  });
});

// Karpenter v1.15 disruption/types.go NewCandidate: for eventual disruption (drift) with a
// terminationGracePeriod, pods that block eviction (do-not-disrupt, a PDB at 0) do not keep the node
// (#2855); the node's own do-not-disrupt does.
describe('drift bounded by terminationGracePeriod: pods do not hold the node', () => {
  const drifted = () => node('old', { type: 't3.micro', capacity: 'spot' });
  const guarded = () => [pod('w', 'old', { cpu: '500m' })];
  const zero = [pdb('w', 'w', { minAvailable: 1 }, 0)];

  it('without a terminationGracePeriod the PDB keeps it', async () => {
    const c = cluster([drifted()], guarded(), zero, { replace: 'join', validationMs: 0 });
    const out = await c.controller.round();
    expect(out.kind === 'none' ? out.kept : []).toEqual([
      { node: 'old', reason: 'PodDisruptionBudget shop/w allows 0 disruptions (minAvailable 1, 3 healthy)' },
    ]);
  });

  it('with one, drift replaces it, and its drain waits on the PDB until the deadline', async () => {
    const c = cluster([drifted()], guarded(), zero, { replace: 'join', validationMs: 0, grace: '1h' });
    expect(await c.controller.round()).toMatchObject({ kind: 'launching', method: 'drift', nodes: ['old'] });
    expect(await c.controller.round()).toMatchObject({ kind: 'decided', method: 'drift' });
    expect(await c.controller.round()).toMatchObject({ kind: 'draining' });
  });

  it('the node’s own do-not-disrupt still keeps it, and consolidation still honours the PDB', async () => {
    const pinned = node('old', {
      type: 't3.micro',
      capacity: 'spot',
      annotations: { 'karpenter.sh/do-not-disrupt': 'true' },
    });
    const c = cluster([pinned], guarded(), zero, { replace: 'join', validationMs: 0, grace: '1h' });
    const out = await c.controller.round();
    expect(out.kind === 'none' ? out.kept : []).toEqual([
      { node: 'old', reason: 'node has karpenter.sh/do-not-disrupt: "true"' },
    ]);
  });
});
