import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { pod } from '../../../test/support/cluster.js';
import { Metrics } from '../../observability/metrics.js';
import { drainStep, forcedGraceSeconds, needsForceDelete } from './drainer.js';
import type { NodeOps } from './node-ops.js';

const DEADLINE = Date.parse('2026-11-29T13:00:00Z');
const at = (hhmmss: string) => new Date(`2026-11-29T${hhmmss}Z`);
const withGrace = (p: V1Pod, seconds: number, deleting?: string): V1Pod => {
  (p.spec ??= { containers: [] }).terminationGracePeriodSeconds = seconds;
  if (deleting) (p.metadata ??= {}).deletionTimestamp = new Date(deleting);
  return p;
};

// Karpenter v1.15.0 pkg/controllers/node/termination/terminator: eviction.go needsForceDelete and
// forceDelete (grace clamped to the time left, at least 1 s), terminator.go Drain (forced pods across
// every tier at once, the rest tier by tier).
describe("a drain's deadline (the NodePool's terminationGracePeriod), as Karpenter v1.15 keeps it", () => {
  it.each([
    ['12:59:00', 30, undefined, false],
    ['12:59:31', 30, undefined, true],
    ['12:00:00', 7200, undefined, true],
    ['12:59:00', 30, '2026-11-29T12:59:30Z', false],
    ['12:59:00', 120, '2026-11-29T13:01:00Z', true],
  ])('at %s, a pod with %is of grace (terminating until %s): forced %s', (now, grace, deleting, want) => {
    expect(needsForceDelete(withGrace(pod('p', 'n'), grace, deleting), DEADLINE, at(now))).toBe(want);
  });

  it('gives a forced deletion the seconds left, never 0', () => {
    expect(forcedGraceSeconds(DEADLINE, at('12:59:45'))).toBe(15);
    expect(forcedGraceSeconds(DEADLINE, at('13:05:00'))).toBe(1);
  });

  it('deletes the pods that cannot finish in time whatever their tier, and evicts the others tier by tier', async () => {
    const daemon = withGrace(pod('agent', 'n'), 600);
    (daemon.metadata ??= {}).ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'a', uid: 'u', controller: true },
    ];
    const slow = withGrace(pod('slow', 'n', { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }), 600);
    const web = withGrace(pod('web', 'n'), 30);
    const deleted: [string, number | undefined][] = [];
    const evicted: string[] = [];
    const ops: NodeOps = {
      mark: () => Promise.resolve(),
      unmark: () => Promise.resolve(),
      evict: (p) => {
        evicted.push(p.metadata?.name ?? '');
        return Promise.resolve('evicted');
      },
      deletePod: (p, seconds) => {
        deleted.push([p.metadata?.name ?? '', seconds]);
        return Promise.resolve();
      },
      terminate: () => Promise.resolve(),
      podsOn: () => Promise.resolve([]),
    };
    const r = await drainStep(ops, new Metrics({ defaults: false }), [web, slow, daemon], {
      node: 'n',
      now: at('12:55:00'),
      deadline: DEADLINE,
    });
    expect(deleted).toEqual([
      ['slow', 300],
      ['agent', 300],
    ]);
    expect(evicted).toEqual(['web']);
    expect(r).toEqual({ done: false, evicted: 1, blocked: 0 });
  });
});
