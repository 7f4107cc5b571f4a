import { describe, expect, it } from 'vitest';
import { disruptionsAllowed, drainFix, replicasForOneEviction } from './disruption.js';

describe('disruptionsAllowed (disruption controller semantics)', () => {
  it.each([
    [{ minAvailable: '80%' }, 3, 0],
    [{ minAvailable: '80%' }, 5, 1],
    [{ minAvailable: '66%' }, 3, 1],
    [{ minAvailable: '50%' }, 3, 1],
    [{ minAvailable: '100%' }, 10, 0],
    [{ minAvailable: 2 }, 3, 1],
    [{ minAvailable: 3 }, 3, 0],
    [{ minAvailable: 5 }, 3, 0],
    [{ maxUnavailable: 0 }, 5, 0],
    [{ maxUnavailable: '0%' }, 5, 0],
    [{ maxUnavailable: '10%' }, 3, 1],
    [{ maxUnavailable: '34%' }, 3, 2],
    [{ maxUnavailable: 1 }, 1, 1],
    [{}, 3, 0],
  ])('%j at %i replicas allows %i', (budget, replicas, allowed) => {
    expect(disruptionsAllowed(budget, replicas).allowed).toBe(allowed);
  });

  it('explains the rounding', () => {
    expect(disruptionsAllowed({ minAvailable: '80%' }, 3).arithmetic).toBe('80% of 3 rounds up to 3');
  });

  it.each([
    [80, 5],
    [66, 3],
    [90, 10],
    [99, 100],
    [100, undefined],
  ])('minAvailable %i%% needs %s replicas for one eviction', (pct, r) =>
    expect(replicasForOneEviction(pct)).toBe(r),
  );

  it.each([
    [{ minAvailable: '80%' }, 3, 'set minAvailable to 66% or run at least 5 replicas'],
    [{ minAvailable: 3 }, 3, 'set minAvailable to 2 or run at least 4 replicas'],
    [{ maxUnavailable: 0 }, 3, 'set maxUnavailable to 1 (or a percentage above 0%)'],
    [{ minAvailable: '100%' }, 4, 'set minAvailable to 75% or use maxUnavailable: 1'],
  ])('fix for %j at %i', (b, r, fix) => expect(drainFix(b, r)).toBe(fix));
});
