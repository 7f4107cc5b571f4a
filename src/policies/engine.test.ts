import { describe, expect, it } from 'vitest';
import { dailyToday, shortWarning, todayOf } from './engine.js';

describe('dailyToday', () => {
  it('agrees with todayOf across UTC midnight, a year end and back in time', () => {
    const times = [
      '2026-11-21T00:00:00.000Z',
      '2026-11-21T12:34:56.789Z',
      '2026-11-21T23:59:59.999Z',
      '2026-11-22T00:00:00.000Z',
      '2026-12-31T23:59:59.999Z',
      '2027-01-01T00:00:00.001Z',
      '2026-11-20T23:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
    ];
    let now = new Date(times[0] ?? '');
    const today = dailyToday(() => now);
    for (const t of times) {
      now = new Date(t);
      expect(today(), t).toBe(todayOf(() => now));
      expect(today(), t).toBe(t.slice(0, 10));
    }
  });

  it('reads the clock on every call', () => {
    let calls = 0;
    const today = dailyToday(() => {
      calls++;
      return new Date('2026-11-21T08:00:00Z');
    });
    today();
    today();
    expect(calls).toBe(2);
  });
});

describe('warnings as kubectl shows them', () => {
  const what =
    'the pods of this workload declare an emptyDir volume scratch that the kubelet deletes when the pod is evicted (every restart); if it is short, they survive';

  it('rewords a long finding with its brief, never cutting its middle out', () => {
    const w = shortWarning('local-storage', {
      what,
      fix: 'mark it safe to evict',
      brief: 'volume scratch is lost on drain',
    });
    expect(w).toBe('[local-storage] volume scratch is lost on drain; fix: mark it safe to evict');
  });

  it('drops parenthetical asides before anything else', () => {
    const w = shortWarning('pdb-blocks-eviction', {
      what: 'PodDisruptionBudget web (minAvailable 100%) allows 0 evictions at 3 replicas (3 of 3 must stay available)',
      fix: 'set maxUnavailable: 1 (or a percentage above 0%)',
    });
    expect(w).toBe(
      '[pdb-blocks-eviction] PodDisruptionBudget web allows 0 evictions at 3 replicas; fix: set maxUnavailable: 1',
    );
  });

  it('uses the brief fix where the fix alone is long', () => {
    const w = shortWarning('local-storage', {
      what: 'volume scratch keeps data on the node',
      fix: 'move the data to a PersistentVolumeClaim, or annotate the pod template cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes: "scratch"',
      briefFix: 'use a PersistentVolumeClaim',
    });
    expect(w).toBe('[local-storage] volume scratch keeps data on the node; fix: use a PersistentVolumeClaim');
  });

  it('without a brief that fits, gives whole clauses of the finding, never a middle cut', () => {
    const w = shortWarning('local-storage', {
      what,
      fix: 'move the data to a PersistentVolumeClaim and mark it safe to evict when it is only a cache',
    });
    expect(w.length).toBeLessThan(120);
    expect(w).not.toContain('…');
    expect(`[local-storage] ${what}`.startsWith(w)).toBe(true);
  });

  it('keeps a short finding whole', () => {
    expect(shortWarning('naked-pod', { what: 'no controller', fix: 'use a Deployment' })).toBe(
      '[naked-pod] no controller; fix: use a Deployment',
    );
  });
});
